// How a job ends: its final state on the item and one session-log record per file (upload.done, upload.failed, …).
// Appends are tracked until written, so close() can wait for them and quitting (or the CLI exiting) keeps them.
import type { AppError } from '../errors';
import type { SessionLogWriter } from '../audit/types';
import type { Job } from './job';
import { checksumHex } from './receipt';
import type { UploadReceipt } from '../../../preload/contract';

/** The receipt as the session log keeps it: the checksum in hex only (the log's guard masks long base64 runs). */
export function receiptForLog(r: UploadReceipt): Omit<UploadReceipt, 'checksum'> & { checksum: Omit<UploadReceipt['checksum'], 'base64'> } {
  const { base64: _omitted, ...checksum } = r.checksum;
  return { ...r, checksum };
}

export type FinalState = 'done' | 'skipped' | 'failed' | 'cancelled';

export class Outcomes {
  private readonly logging = new Set<Promise<void>>();

  constructor(
    private readonly audit: SessionLogWriter,
    /** Something changed that a progress listener should see. */
    private readonly touch: () => void,
  ) {}

  finish(job: Job, state: FinalState, error?: AppError): void {
    const { item } = job;
    item.state = state;
    item.finishedAt = new Date().toISOString();
    if (state === 'done') item.bytesSent = item.size;
    delete item.rate;
    delete item.etaSeconds;
    delete item.conflictChoices;
    this.touch();
    this.log(job, state, error);
  }

  /** Refused before a byte was sent. */
  refuse(job: Job, error: AppError): void {
    job.item.state = 'refused';
    job.item.error = error.toJSON();
    job.item.finishedAt = new Date().toISOString();
    this.touch();
    this.log(job, 'refused', error);
  }

  /** Resolves when every record so far is on disk. */
  async flushed(): Promise<void> {
    await Promise.all(this.logging);
  }

  private log(job: Job, result: string, error?: AppError): void {
    const written = this.append(job, result, error);
    this.logging.add(written);
    void written.then(() => this.logging.delete(written));
  }

  private async append(job: Job, result: string, error?: AppError): Promise<void> {
    const { item, grant, audit } = job;
    try {
      await this.audit.append({
        type: `upload.${result}`,
        grant: grant.name,
        bucket: grant.bucket,
        key: item.key || undefined,
        file: item.relativePath,
        size: item.size,
        durationMs: audit.startedMs ? Date.now() - audit.startedMs : 0,
        parts: item.parts ?? 0,
        retries: audit.retries,
        ...(audit.checksum ? { checksum: `SHA256:${checksumHex(audit.checksum)}` } : {}),
        ...(item.receipt ? { receipt: receiptForLog(item.receipt) } : {}),
        result,
        ...(error ? { errorCode: error.code, error: { code: error.code, message: error.message, ...(error.details.httpStatus ? { httpStatus: error.details.httpStatus } : {}) } } : {}),
        ...(audit.requestIds.length ? { requestIds: [...audit.requestIds] } : {}),
        ...(item.note ? { note: item.note } : {}),
      });
    } catch {
      // The log must never stop an upload; the log writer reports its own failures.
    }
  }
}
