// AppError: the one error type services throw. `code` is stable (SCREAMING_SNAKE) so the UI, the CLI and helpdesk
// can key on it; `message` is a sentence a non-technical person can act on; `details` carries what helpdesk needs
// (AWS request id, HTTP status, the original error's name) and never a secret. Its plain-data shape,
// SerializedAppError, is a bridge DTO (preload/dto/errors.ts).
import type { ErrorDetails, SerializedAppError } from '../../preload/contract';

export class AppError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details ?? {};
  }

  /** The serializable shape sent over IPC, printed by the CLI and written to the session log. */
  toJSON(): SerializedAppError {
    return { code: this.code, message: this.message, ...(Object.keys(this.details).length ? { details: this.details } : {}) };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Wraps anything thrown into an AppError without losing the original (kept as `cause`). */
export function toAppError(e: unknown, fallbackCode = 'UNEXPECTED'): AppError {
  if (e instanceof AppError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new AppError(fallbackCode, `Something went wrong: ${message}`, { cause: e });
}
