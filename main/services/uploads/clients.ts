// The S3 clients uploads send through, one pair per grant and region, made on first use and destroyed on close:
// `data` (stream bodies, SDK retries off; transfer.ts retries with fresh streams) and `control` (everything else).
// Socket pools are sized from the concurrency ceiling so requests never wait for a socket; keep-alive agents
// (client-factory.ts) reuse each socket for request after request.
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AppError } from '../errors';
import { fromAwsError } from '../aws/errors';
import type { AwsClientFactory } from '../aws/client-factory';
import { prepareDataClient, recordServerTime, type TransferClients } from './transfer';
import { totalSlots, type ConcurrencyLimits } from './scheduler';
import type { UploadGrant } from './types';

export class TransferClientPool {
  private readonly cache = new Map<string, TransferClients>();

  constructor(
    private readonly factory: AwsClientFactory,
    private readonly credentials: (grant: string) => AwsCredentialIdentityProvider,
    private readonly limits: ConcurrencyLimits,
    /** Requests in flight at most (adaptive concurrency's ceiling); default the limits' slots. */
    private readonly maxRequests?: number,
  ) {}

  for(grant: UploadGrant): TransferClients {
    const cacheKey = `${grant.name}\u0000${grant.region}`;
    let c = this.cache.get(cacheKey);
    if (!c) {
      const credentials = this.credentials(grant.name);
      const data = this.factory.s3({ region: grant.region, credentials, maxAttempts: 1, maxSockets: (this.maxRequests ?? totalSlots(this.limits)) + 2 });
      // With SDK retries off for stream bodies (we retry those ourselves), the SDK would console.warn "non-retryable
      // streaming request" on every failed part and every 412; other SDK warnings still reach the console.
      Object.assign(data.config, { logger: quietStreamingLogger });
      prepareDataClient(data);
      recordServerTime(data);
      const control = this.factory.s3({ region: grant.region, credentials, maxSockets: this.limits.files + 2 });
      recordServerTime(control);
      c = { data, control };
      this.cache.set(cacheKey, c);
    }
    return c;
  }

  destroy(): void {
    for (const c of this.cache.values()) {
      c.data.destroy();
      c.control.destroy();
    }
    this.cache.clear();
  }
}

/** An S3 failure in plain language, naming the grant, its bucket and whom to ask. */
export function grantAwsError(e: unknown, operation: string, grant: UploadGrant): AppError {
  return fromAwsError(e, { operation, grant: grant.title ?? grant.name, bucket: grant.bucket, encrypted: Boolean(grant.encryption), ...(grant.contact ? { contact: grant.contact } : {}) });
}

// No `info` and no `error` on purpose: the SDK's logger middleware calls `logger.info?.(…)` after every request and
// `logger.error?.(…)` after every failure, and builds their arguments — a schema walk that copies the request's
// input with sensitive fields masked — only when the method exists. The queue reports outcomes itself (item
// state, session log), so those calls would be discarded anyway; without the methods they cost nothing.
const quietStreamingLogger = {
  debug: () => undefined,
  warn: (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('non-retryable streaming request')) return;
    console.warn(...args);
  },
};
