// The session manager's own view of a grant and how it gets one. The session DTOs (SessionInfo, SessionEvent) are
// bridge data and live in preload/dto/sessions.ts.
import type { IdentityInfo } from '../../../preload/contract';

/**
 * What the session manager needs to know about a grant for one user: the fields of config/policy.ts's ResolvedGrant
 * it uses (structurally compatible, so a ResolvedGrant is passed as is). `policyJson` is sent to STS byte for byte.
 */
export interface SessionGrant {
  name: string;
  title: string;
  contact?: string;
  roleArn: string;
  durationSeconds: number;
  /** RoleSessionName, already filled in and sanitized. */
  sessionName: string;
  externalId?: string;
  mfa: boolean;
  policyJson: string;
  policySize?: number;
}

/** Resolves a grant for the signed-in identity (the grant store's `resolvedFor`). Throws AppError when it can't. */
export interface GrantResolver {
  resolvedFor(name: string, identity: IdentityInfo): SessionGrant;
}
