// With IAM Identity Center sign-in a grant's session is role chaining (the permission set's role keys assume the
// grant's role), which AWS caps at one hour: a longer role.duration cannot be had, so say so (a warning — the grant
// still works, for an hour at a time).
import { parseDuration } from '../../schema';
import { isRecord } from '../diagnostic';
import { rangeFor } from '../locate';
import type { GrantCheck } from './types';

const ROLE_CHAINING_MAX_SECONDS = 3600;

export const checkRoleChaining: GrantCheck = ({ ctx, doc, spec, signInMethod }) => {
  if (signInMethod !== 'identityCenter') return;
  const role = isRecord(spec.role) ? spec.role : undefined;
  if (typeof role?.duration !== 'string') return;
  const seconds = parseDuration(role.duration);
  if (seconds === null || seconds <= ROLE_CHAINING_MAX_SECONDS) return;
  ctx.add(
    rangeFor(doc, ['spec', 'role', 'duration']),
    ['spec', 'role', 'duration'],
    'DURATION_ROLE_CHAINING',
    `duration ${role.duration} is longer than 1h: with IAM Identity Center sign-in the session is role chaining, which AWS limits to 1 hour (sessions will last 1h)`,
    'warning',
  );
};
