// The session log's record shape, shared by every service that writes to it (sessions, uploads, grants).
// Records are JSONL lines; `type` is dotted (signin.ok, session.started, upload.done, grants.rejected…).
// NEVER put a secret key, session token or MFA code in a record; access key ids only as their last 4 chars.

export interface LogRecord {
  type: string;
  /** ISO timestamp; the log fills it in when absent. */
  at?: string;
  [key: string]: unknown;
}

export interface SessionLogWriter {
  append(record: LogRecord): Promise<void>;
}

/** Reading side of the session log (SessionLog implements both): records oldest first, across rotated files. */
export interface SessionLogReader {
  /** Records at or after `sinceMs` (epoch milliseconds; default all). */
  read(options?: { sinceMs?: number }): AsyncIterable<LogRecord>;
}
