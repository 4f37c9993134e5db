// The error shape that crosses the bridge (and that the CLI prints and the session log writes). Types only.

export interface ErrorDetails {
  /** AWS request id (x-amz-request-id / x-amzn-RequestId), kept for helpdesk. */
  requestId?: string;
  /** HTTP status of the failed call, when there was one. */
  httpStatus?: number;
  /** The original error's name/code (e.g. AccessDenied), for helpdesk. */
  awsCode?: string;
  /** Who to ask, when the grant names a contact. */
  contact?: string;
  /** What the person can do next, in plain words. */
  hint?: string;
  [key: string]: unknown;
}

/** An AppError as plain data: stable SCREAMING_SNAKE code, a sentence a person can act on, helpdesk details. */
export interface SerializedAppError {
  code: string;
  message: string;
  details?: ErrorDetails;
}
