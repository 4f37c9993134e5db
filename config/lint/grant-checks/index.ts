// The checks a grant gets beyond its schema, in the order they report. A new lint check is a module in this folder
// exporting a GrantCheck, added to GRANT_CHECKS (and its codes documented in docs/grant-format.md and
// docs/helpdesk.md).
import { checkDuration } from './duration';
import { checkPartition } from './partition';
import { checkPermissions } from './permissions';
import { checkPolicySize } from './policy-size';
import { checkPrefix } from './prefix';
import { checkRoleChaining } from './role-chaining';
import { checkSessionName } from './session-name';
import { checkSessionPolicy } from './session-policy';
import type { GrantCheck } from './types';
import { checkUploadObject } from './upload-object';
import { checkUploadOptions } from './upload-options';

export type { GrantCheck, GrantCheckInput } from './types';

export const GRANT_CHECKS: readonly GrantCheck[] = [checkDuration, checkRoleChaining, checkSessionName, checkPrefix, checkUploadOptions, checkUploadObject, checkPermissions, checkPartition, checkSessionPolicy, checkPolicySize];
