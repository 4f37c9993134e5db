// Session metadata: what the UI, the CLI and the log may see about an active STS session. Never credentials.
// Types only.
import type { SerializedAppError } from './errors';

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

/** Main asks the person for an MFA code (the window's dialog answers through session:answerMfa). */
export interface MfaRequest {
  requestId: string;
  grant: string;
  grantTitle: string;
  /** The MFA device, shown so the person knows which app/code to use. */
  deviceName?: string;
}
