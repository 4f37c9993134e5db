// AWS error → plain language. Owns the mapping from whatever the SDK (or the network under it) throws to an AppError
// with a stable code, a sentence a non-technical person can act on, a `details.hint`, and the facts helpdesk needs
// (request id, HTTP status, the AWS error code). Used for STS (sessions, sign-in), IAM and S3 (uploads) alike.
//
// Why so many branches: the SDK reports the same situation in several shapes — a modelled exception, a generic
// ServiceException named after the XML <Code>, "Unknown"/"UnknownError" when the body is not in the service's
// protocol (S3-compatible stores answer STS with S3-style bodies), a deserialization error carrying `$response`
// when the body is garbage, or a bare Node network error. People must never see "UnknownError". That is why this is
// one concept over 400 lines: every branch answers the same question for every AWS call.
import type { ErrorDetails } from '../../../preload/contract';
import { AppError } from '../errors';
import { certificateAppError } from '../network';

export interface AwsErrorContext {
  /** The API operation, e.g. "AssumeRole", "GetCallerIdentity", "PutObject". */
  operation: string;
  /** Grant name (metadata.name) or title, shown to people. */
  grant?: string;
  /** Who to ask (the grant's metadata.contact). */
  contact?: string;
  bucket?: string;
  /** Endpoint URL or host, shown when it cannot be reached. */
  endpoint?: string;
  /** Uploads: whether the request asked for server-side encryption (a bucket may refuse unencrypted writes). */
  encrypted?: boolean;
}

const WRITE_OPERATIONS = new Set(['PutObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload']);
// AWS's text when a bucket policy's Deny refused the request ("… with an explicit deny in a resource-based
// policy"), or a policy's own wording about encryption.
const BUCKET_POLICY_DENY_RE = /explicit deny in a resource-based policy|server-side encryption|x-amz-server-side-encryption/i;

const STS_OPERATIONS = new Set(['AssumeRole', 'GetCallerIdentity', 'GetSessionToken', 'AssumeRoleWithWebIdentity', 'DecodeAuthorizationMessage']);
const IAM_OPERATIONS = new Set(['ListMFADevices', 'GetUser', 'ListAccessKeys']);

const NO_NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'ENETDOWN', 'EAI_FAIL', 'EAI_NODATA']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'EHOSTDOWN', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_NOT_YET_VALID',
]);
/** Names the SDK gives errors it could not attribute to a modelled error code. */
const UNPARSED_NAMES = new Set(['Unknown', 'UnknownError', 'Error', 'NotFound', 'ServiceException', 'STSServiceException', 'S3ServiceException', 'IAMServiceException', 'SyntaxError', 'TypeError']);

interface Raw {
  name?: string;
  code?: string;
  message: string;
  httpStatus?: number;
  requestId?: string;
  extendedRequestId?: string;
  /** The XML <Code> the SDK copied onto the exception even when it could not model it. */
  rawCode?: string;
  deserializationFailed: boolean;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function inspect(error: unknown): Raw {
  const e = asRecord(error);
  const meta = asRecord(e.$metadata);
  const response = asRecord(e.$response);
  const headers = asRecord(response.headers);
  const statusFromResponse = typeof response.statusCode === 'number' && response.statusCode > 0 ? response.statusCode : undefined;
  const innerError = asRecord(e.Error);
  return {
    name: str(e.name),
    code: str(e.code) ?? str(asRecord(e.cause).code),
    message: error instanceof Error ? error.message : typeof error === 'string' ? error : '',
    httpStatus: typeof meta.httpStatusCode === 'number' ? meta.httpStatusCode : statusFromResponse,
    requestId:
      str(meta.requestId) ??
      str(headers['x-amzn-requestid']) ??
      str(headers['x-amz-request-id']) ??
      str(e.RequestId) ??
      str(innerError.RequestId),
    extendedRequestId: str(meta.extendedRequestId) ?? str(headers['x-amz-id-2']),
    rawCode: str(e.Code) ?? str(innerError.Code),
    deserializationFailed: typeof e.message === 'string' && e.message.includes('Deserialization error'),
  };
}

const ACCESS_KEY_RE = /\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|AIPA)[A-Z0-9]{12,}\b/g;

/** AWS messages may echo an access key id; keep only its last 4 characters (rule for every log/detail). */
export function scrubAwsMessage(message: string): string {
  return message.replace(ACCESS_KEY_RE, (m) => `…${m.slice(-4)}`).slice(0, 500);
}

function hostOf(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

function grantLabel(ctx: AwsErrorContext): string {
  return ctx.grant ? `“${ctx.grant}”` : 'this grant';
}

function whoToAsk(ctx: AwsErrorContext): string {
  return ctx.contact ?? 'your administrator';
}

function serviceOf(ctx: AwsErrorContext): 'sts' | 'iam' | 's3' {
  if (STS_OPERATIONS.has(ctx.operation)) return 'sts';
  if (IAM_OPERATIONS.has(ctx.operation)) return 'iam';
  return 's3';
}

type Mapping = { code: string; message: string; hint: string };

/**
 * STS's refusals of AssumeRoleWithWebIdentity (company sign-in): the ID token, the IAM OIDC identity provider or the
 * role's trust policy. Most need the admin; the message says which part to look at.
 */
function webIdentityRefusal(awsCode: string, rawMessage: string, ctx: AwsErrorContext): Mapping | undefined {
  const g = grantLabel(ctx);
  const ask = whoToAsk(ctx);
  switch (awsCode) {
    case 'InvalidIdentityToken':
    case 'InvalidIdentityTokenException':
      return {
        code: 'WEB_IDENTITY_TOKEN_REJECTED',
        message: `AWS did not accept your company sign-in for ${g}. Tell ${ask}.`,
        hint: `${ask}: AWS could not verify the ID token — the account needs an IAM OIDC identity provider for exactly this issuer URL, with the Grantbox client id as audience (and a current thumbprint/keys).`,
      };
    case 'IDPRejectedClaim':
    case 'IDPRejectedClaimException':
      return {
        code: 'WEB_IDENTITY_CLAIM_REJECTED',
        message: `AWS refused your company sign-in for ${g}: the sign-in does not match what the role expects. Tell ${ask}.`,
        hint: `${ask}: a claim of the ID token (usually aud = the client id) does not match the IAM OIDC identity provider or the role's trust policy.`,
      };
    case 'IDPCommunicationError':
    case 'IDPCommunicationErrorException':
      return {
        code: 'WEB_IDENTITY_PROVIDER_UNREACHABLE',
        message: `AWS could not reach your company's sign-in service to check your sign-in for ${g}.`,
        hint: 'Try again in a minute. If it keeps happening, the company sign-in service may be down or not reachable from AWS: tell IT.',
      };
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return {
        code: 'WEB_IDENTITY_TOKEN_EXPIRED',
        message: `AWS says your company sign-in had already run out when ${g} was started.`,
        hint: "Check that your computer's clock is right (set it to automatic), then try again; Grantbox fetches a fresh sign-in each time.",
      };
    case 'AccessDenied':
    case 'AccessDeniedException':
      return {
        code: 'WEB_IDENTITY_NOT_TRUSTED',
        message: `You're not allowed to use ${g} yet — ask ${ask} to give you access.`,
        hint: `${ask}: the role's trust policy does not let this company sign-in in (check its Federated principal, the aud and sub or group conditions).`,
      };
    default:
      return undefined;
  }
}

/** Modelled AWS error codes (from the SDK's name or the body's <Code>). undefined = not one we know. */
function byAwsCode(awsCode: string, rawMessage: string, ctx: AwsErrorContext): Mapping | undefined {
  const service = serviceOf(ctx);
  const g = grantLabel(ctx);
  const ask = whoToAsk(ctx);
  if (ctx.operation === 'AssumeRoleWithWebIdentity') {
    const refusal = webIdentityRefusal(awsCode, rawMessage, ctx);
    if (refusal) return refusal;
  }
  switch (awsCode) {
    case 'AccessDenied':
    case 'AccessDeniedException':
      if (service === 'sts' && /MultiFactorAuthentication|MFA/i.test(rawMessage)) {
        return {
          code: 'MFA_CODE_REJECTED',
          message: `The MFA code was not accepted${ctx.grant ? ` for ${g}` : ''}.`,
          hint: 'Wait for a new code in your authenticator app and try again. If it keeps failing, check your phone’s clock.',
        };
      }
      if (ctx.operation === 'AssumeRole') {
        return {
          code: 'NOT_IN_TRUST_POLICY',
          message: `You're not allowed to use ${g} yet — ask ${ask} to give you access.`,
          hint: `Tell ${ask} that the role in ${g} does not trust your AWS user yet (its trust policy must name you).`,
        };
      }
      if (service === 's3' && ctx.encrypted === false && WRITE_OPERATIONS.has(ctx.operation) && BUCKET_POLICY_DENY_RE.test(rawMessage)) {
        // Company buckets commonly deny every write without the SSE-KMS headers; only the grant can add them.
        return {
          code: 'S3_ENCRYPTION_REQUIRED',
          message: `${ctx.bucket ? `“${ctx.bucket}”` : 'This bucket'} only accepts encrypted files; the grant ${g} must name its key — tell IT.`,
          hint: `Nothing was stored. Tell ${ask}: the grant needs upload.encryption (type aws:kms and the bucket's key ARN) so uploads carry the encryption headers the bucket policy requires.`,
        };
      }
      if (service === 's3') {
        return {
          code: 'S3_ACCESS_DENIED',
          message: `${ctx.grant ? `The grant ${g}` : 'Your access'} does not allow this${ctx.bucket ? ` in “${ctx.bucket}”` : ''}.`,
          hint: `If you think you should be able to do this, ask ${ask}.`,
        };
      }
      return {
        code: 'AWS_ACCESS_DENIED',
        message: 'AWS refused this request: your user is not allowed to do it.',
        hint: `Ask ${ask} to check your AWS user’s permissions.`,
      };
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
    case 'InvalidAccessKeyId':
    case 'UnrecognizedClientException':
    case 'InvalidToken':
    case 'IncompleteSignature':
      if (service === 's3') {
        return {
          code: 'SESSION_CREDENTIALS_REJECTED',
          message: `The temporary access for ${g} was not accepted by the storage service.`,
          hint: 'End the session and start it again. If it keeps happening, send the helpdesk log to your administrator.',
        };
      }
      return {
        code: 'KEYS_INVALID',
        message: 'Your AWS access keys were not accepted — they may be mistyped, deactivated or deleted.',
        hint: 'Sign out and sign in again with your current access key. Your administrator can create a new one for you.',
      };
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'TokenRefreshRequired':
      return {
        code: 'SESSION_EXPIRED',
        message: `Your temporary access${ctx.grant ? ` for ${g}` : ''} has run out.`,
        hint: 'Start the session again; Grantbox will ask AWS for fresh access.',
      };
    case 'MalformedPolicyDocument':
    case 'MalformedPolicyDocumentException':
      return {
        code: 'GRANT_POLICY_INVALID',
        message: `The grant ${g} is set up wrongly: AWS rejected its access rules. Tell ${ask}.`,
        hint: `Nothing you can fix yourself — ${ask} needs to correct the grant (run \`grantbox grants lint\`).`,
      };
    case 'PackedPolicyTooLarge':
    case 'PackedPolicyTooLargeException':
      return {
        code: 'GRANT_POLICY_TOO_LARGE',
        message: `The grant ${g} is set up wrongly: its access rules are too long for AWS. Tell ${ask}.`,
        hint: `${ask} needs to shorten the grant's session policy (fewer statements or resources).`,
      };
    case 'RegionDisabledException':
      return {
        code: 'REGION_DISABLED',
        message: `AWS temporary access (STS) is switched off for this region in your company's account.`,
        hint: `Ask ${ask} to activate STS for the region, or to use a grant in another region.`,
      };
    case 'RequestTimeTooSkewed':
    case 'RequestExpired':
    case 'InvalidSignatureException':
      if (awsCode === 'InvalidSignatureException' && !/expired|skew|time/i.test(rawMessage)) return byAwsCode('SignatureDoesNotMatch', rawMessage, ctx);
      return {
        code: 'CLOCK_SKEW',
        message: "Your computer's clock is wrong, so AWS refused the request.",
        hint: 'Set the date and time to update automatically (Settings → Date & Time), then try again.',
      };
    case 'ValidationError':
      if (ctx.operation === 'AssumeRole' && /DurationSeconds|MaxSessionDuration/i.test(rawMessage)) {
        return {
          code: 'GRANT_DURATION_TOO_LONG',
          message: `The grant ${g} asks for a longer session than its role allows. Tell ${ask}.`,
          hint: `${ask} should shorten the grant's duration or raise the role's maximum session duration.`,
        };
      }
      return undefined;
    case 'Throttling':
    case 'ThrottlingException':
    case 'TooManyRequestsException':
    case 'SlowDown':
    case 'RequestLimitExceeded':
      return {
        code: service === 's3' ? 'S3_SLOW_DOWN' : 'AWS_THROTTLED',
        message: 'AWS is asking Grantbox to slow down right now.',
        hint: 'Wait a minute and try again; Grantbox already retried a few times.',
      };
    case 'NoSuchBucket':
      return {
        code: 'S3_NO_SUCH_BUCKET',
        message: `The storage bucket${ctx.bucket ? ` “${ctx.bucket}”` : ''} for ${g} does not exist.`,
        hint: `Tell ${ask}: the grant may name the wrong bucket or region.`,
      };
    case 'PreconditionFailed':
    case 'ConditionalRequestConflict':
      return {
        code: 'S3_OBJECT_EXISTS',
        message: 'A file with this name already exists there (or was just added by someone else).',
        hint: 'Choose to skip it, keep both, or replace it if your grant allows that.',
      };
    case 'EntityTooLarge':
      return {
        code: 'S3_FILE_TOO_LARGE',
        message: 'This file is larger than the storage service accepts.',
        hint: `Split the file, or ask ${ask} about another way to send it.`,
      };
    case 'BadDigest':
    case 'InvalidDigest':
    case 'XAmzContentSHA256Mismatch':
    case 'InvalidChecksum':
      return {
        code: 'UPLOAD_CORRUPTED',
        message: 'The file arrived damaged (or changed while it was being sent), so the storage service refused it.',
        hint: 'Make sure nothing is editing the file, then try again.',
      };
    case 'NoSuchUpload':
      return {
        code: 'S3_UPLOAD_GONE',
        message: 'The unfinished upload was cleaned up on the server and cannot be continued.',
        hint: 'Start the upload again.',
      };
    case 'NotImplemented':
    case 'InvalidAction':
    case 'UnknownOperationException':
    case 'UnsupportedOperation':
      return {
        code: service === 's3' ? 'SERVICE_UNSUPPORTED' : 'STS_UNSUPPORTED',
        message: `The storage service does not support this request (${ctx.operation}).`,
        hint: 'This is expected with some S3-compatible services. If it stops you working, tell your administrator.',
      };
    default:
      return undefined;
  }
}

/** Errors the SDK could not parse: choose a plain message from the HTTP status alone. */
function byStatus(status: number | undefined, ctx: AwsErrorContext, deserializationFailed: boolean): Mapping {
  const service = serviceOf(ctx);
  const ask = whoToAsk(ctx);
  const g = grantLabel(ctx);
  if (status === undefined || (status >= 200 && status < 300) || deserializationFailed && (status ?? 0) < 400) {
    return {
      code: 'AWS_UNREADABLE_RESPONSE',
      message: 'The service answered with something Grantbox could not understand.',
      hint: `Check that the endpoint in your settings points at an AWS-compatible service. If it does, tell ${ask}.`,
    };
  }
  if (status === 400) {
    return {
      code: 'AWS_BAD_REQUEST',
      message: `The service refused the request${ctx.grant ? ` for ${g}` : ''} as invalid.`,
      hint: `The grant or your settings may not suit this service; tell ${ask} and include the helpdesk log.`,
    };
  }
  if (status === 401 || status === 403) {
    if (ctx.operation === 'AssumeRole') return byAwsCode('AccessDenied', '', ctx)!;
    if (service === 's3') return byAwsCode('AccessDenied', '', ctx)!;
    return {
      code: 'AWS_ACCESS_DENIED',
      message: 'The service refused your keys or this request.',
      hint: 'Check that you signed in with the right access key; sign in again if it was changed.',
    };
  }
  if (status === 404 || status === 405 || status === 501) {
    if (service !== 's3') return byAwsCode('NotImplemented', '', ctx)!;
    return {
      code: 'S3_NOT_FOUND',
      message: `What Grantbox asked for was not found${ctx.bucket ? ` in “${ctx.bucket}”` : ''}.`,
      hint: `The bucket or the file may have been removed; tell ${ask} if it should be there.`,
    };
  }
  if (status === 408 || status === 504) {
    return {
      code: 'ENDPOINT_TIMEOUT',
      message: 'The service took too long to answer.',
      hint: 'Try again in a moment. If it keeps happening, check your connection.',
    };
  }
  if (status === 412) return byAwsCode('PreconditionFailed', '', ctx)!;
  if (status === 429 || status === 503) return byAwsCode(service === 's3' ? 'SlowDown' : 'Throttling', '', ctx)!;
  if (status >= 500) {
    return {
      code: 'AWS_SERVICE_ERROR',
      message: 'The service had a problem on its side.',
      hint: 'Try again in a few minutes. If it keeps happening, send the helpdesk log to your administrator.',
    };
  }
  return {
    code: 'AWS_REQUEST_FAILED',
    message: `The service refused the request (HTTP ${status}).`,
    hint: `Try again; if it keeps failing, tell ${ask} and include the helpdesk log.`,
  };
}

function byNetwork(raw: Raw, ctx: AwsErrorContext): Mapping | undefined {
  const host = hostOf(ctx.endpoint);
  const where = host ? ` (${host})` : '';
  const code = raw.code ?? '';
  if (raw.name === 'AbortError' || code === 'ABORT_ERR') {
    return { code: 'CANCELLED', message: 'The request was cancelled.', hint: 'Start it again when you are ready.' };
  }
  if (NO_NETWORK_CODES.has(code)) {
    return {
      code: 'NO_NETWORK',
      message: `Grantbox could not reach the service${where}: there seems to be no network connection.`,
      hint: 'Check that you are connected to the internet (and to the VPN, if your company uses one), then try again.',
    };
  }
  if (TLS_CODES.has(code)) {
    return {
      code: 'TLS_UNTRUSTED',
      message: `The service${where} could not prove it is genuine (its security certificate is not trusted).`,
      hint: 'Do not continue on an untrusted network. Tell your administrator if this happens at the office.',
    };
  }
  if (UNREACHABLE_CODES.has(code) || raw.name === 'TimeoutError' || raw.name === 'RequestTimeout' || /socket hang up/i.test(raw.message)) {
    return {
      code: 'ENDPOINT_UNREACHABLE',
      message: `The service${where} is not answering.`,
      hint: 'Your network works but the service did not respond. Try again in a minute; if it persists, check the endpoint in your settings or tell your administrator.',
    };
  }
  return undefined;
}

/** Maps anything an STS/IAM/S3 call threw to a plain-language AppError (never "UnknownError"). */
export function fromAwsError(error: unknown, ctx: AwsErrorContext): AppError {
  if (error instanceof AppError) return error;
  // A TLS-inspecting network: say so, with the host and the certificate's issuer (never "check your internet").
  const certificate = certificateAppError(error, hostOf(ctx.endpoint));
  if (certificate) return certificate;
  const raw = inspect(error);
  const awsCode = raw.name && !UNPARSED_NAMES.has(raw.name) && !/^\d{3}$/.test(raw.name) ? raw.name : raw.rawCode;
  const details: ErrorDetails = {
    operation: ctx.operation,
    ...(raw.requestId ? { requestId: raw.requestId } : {}),
    ...(raw.extendedRequestId ? { extendedRequestId: raw.extendedRequestId } : {}),
    ...(raw.httpStatus !== undefined ? { httpStatus: raw.httpStatus } : {}),
    ...(awsCode ? { awsCode } : raw.name ? { awsCode: raw.name } : {}),
    ...(raw.code ? { networkCode: raw.code } : {}),
    ...(raw.message ? { awsMessage: scrubAwsMessage(raw.message.split('\n')[0] ?? '') } : {}),
    ...(ctx.grant ? { grant: ctx.grant } : {}),
    ...(ctx.bucket ? { bucket: ctx.bucket } : {}),
    ...(ctx.contact ? { contact: ctx.contact } : {}),
  };

  const mapping =
    (raw.httpStatus === undefined ? byNetwork(raw, ctx) : undefined) ??
    (awsCode ? byAwsCode(awsCode, raw.message, ctx) : undefined) ??
    (raw.httpStatus !== undefined || raw.deserializationFailed || (raw.name !== undefined && UNPARSED_NAMES.has(raw.name) && raw.code === undefined && raw.name !== 'Error' && raw.name !== 'TypeError')
      ? byStatus(raw.httpStatus, ctx, raw.deserializationFailed)
      : undefined) ??
    byNetwork(raw, ctx) ?? {
      code: 'AWS_REQUEST_FAILED',
      message: 'Grantbox could not complete the request.',
      hint: 'Try again. If it keeps failing, send the helpdesk log to your administrator.',
    };
  return new AppError(mapping.code, mapping.message, { cause: error, details: { ...details, hint: mapping.hint } });
}

