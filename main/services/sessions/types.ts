// Session metadata: what the UI, the CLI and the log may see about an active STS session. Never credentials.
import type { SerializedAppError } from '../errors';
import type { IdentityInfo } from '../../../preload/contract';

export type SessionState = 'active' | 'expiring' | 'expired' | 'ended' | 'failed';

export interface SessionInfo {
  /** The grant's metadata.name; one session per grant at a time. */
  grant: string;
  grantTitle: string;
  roleArn: string;
  sessionName: string;
  sourceIdentity?: string;
  /** ARN of the assumed-role session, when STS returned it. */
  assumedRoleArn?: string;
  /** ISO timestamps. */
  startedAt: string;
  refreshedAt?: string;
  expiresAt: string;
  state: SessionState;
  packedPolicySize?: number;
  /** Last 4 characters of the temporary access key id, for helpdesk. */
  accessKeyIdLast4?: string;
}

export type SessionEventType = 'started' | 'refreshed' | 'expiring' | 'expired' | 'ended' | 'failed';

export interface SessionEvent {
  type: SessionEventType;
  /** ISO timestamp of the event. */
  at: string;
  session: SessionInfo;
  /** For `expiring`: the threshold crossed (10 or 2 minutes). */
  minutesLeft?: number;
  /** For `failed` (and `ended` with a reason such as "grant removed"). */
  error?: SerializedAppError;
  reason?: string;
}

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
