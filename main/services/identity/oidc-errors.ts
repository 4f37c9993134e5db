// OpenID Connect failures → plain-language AppErrors. openid-client (the certified client library doing all the
// OAuth work) throws its own errors: fetch TypeErrors for the network, ResponseBodyError for an OAuth error answer
// (invalid_grant, invalid_client…), ClientError with OAUTH_* codes for a response that fails validation (discovery,
// ID-token signature, nonce, iat/exp). Each becomes one code with what the person or IT should do. Never copies a
// token or a response body into the error: only the OAuth error name and the provider's short description.
import { AppError, isAppError } from '../errors';

export type OidcStep = 'discovery' | 'authorization' | 'token' | 'refresh' | 'device' | 'revocation';

export interface OidcErrorContext {
  step: OidcStep;
  /** The provider's name as shown ("Company1"). */
  provider: string;
  /** Host of the issuer, for "could not reach HOST". */
  host: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID']);
const TLS_CODES = new Set(['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID']);
/** OAuth error answers that mean the client or its redirect is set up wrongly at the provider: IT must fix it. */
const MISCONFIGURED = new Set(['invalid_client', 'unauthorized_client', 'invalid_scope', 'invalid_request', 'unsupported_grant_type', 'unsupported_response_type', 'invalid_redirect_uri', 'invalid_client_metadata']);

interface Shape {
  name?: string;
  code?: string;
  error?: string;
  error_description?: string;
  status?: number;
  cause?: unknown;
  message?: string;
}

function causeChain(e: unknown): Shape[] {
  const out: Shape[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur && typeof cur === 'object'; i++) {
    out.push(cur as Shape);
    cur = (cur as Shape).cause;
  }
  return out;
}

function short(s: unknown): string | undefined {
  return typeof s === 'string' && s ? s.slice(0, 200) : undefined;
}

export function oidcError(e: unknown, ctx: OidcErrorContext): AppError {
  if (isAppError(e)) return e;
  const chain = causeChain(e);
  const top = (chain[0] ?? {}) as Shape;
  const where = { step: ctx.step, provider: ctx.provider };

  // Cancelled by the person (AbortSignal) — never an error to report.
  if (top.name === 'AbortError') {
    return new AppError('SIGN_IN_CANCELLED', 'Signing in was cancelled.', { cause: e, details: { hint: 'Sign in again when you are ready.', ...where } });
  }

  // An OAuth error answer from the provider (token, device or revocation endpoint).
  const oauthError = chain.find((c) => typeof c.error === 'string' && c.error);
  if (oauthError?.error) {
    const error = oauthError.error;
    const description = short(oauthError.error_description);
    const details = { ...where, providerError: error, ...(description ? { providerErrorDescription: description } : {}) };
    if (error === 'invalid_grant' && (ctx.step === 'refresh' || ctx.step === 'revocation')) {
      return new AppError('SIGN_IN_ENDED', 'Your company sign-in has ended — sign in again.', {
        cause: e,
        details: { ...details, hint: `${ctx.provider} no longer accepts your sign-in (it expired, your password changed, or IT ended it). Sign in again; waiting uploads continue afterwards.` },
      });
    }
    if (error === 'access_denied') {
      return new AppError('SIGN_IN_CONSENT_DENIED', `Signing in with ${ctx.provider} was cancelled or refused in the browser.`, {
        cause: e,
        details: { ...details, hint: 'Sign in again and accept the request. If your company refuses it, ask IT whether Grantbox is allowed for you.' },
      });
    }
    if (error === 'expired_token') {
      return new AppError('SIGN_IN_TIMED_OUT', 'The sign-in code expired before it was approved.', { cause: e, details: { ...details, hint: 'Run `grantbox login --device` again and approve the new code sooner.' } });
    }
    if (MISCONFIGURED.has(error) || error === 'invalid_grant') {
      return new AppError('SIGN_IN_MISCONFIGURED', `${ctx.provider} refused Grantbox's sign-in request (${error}).`, {
        cause: e,
        details: { ...details, hint: 'The sign-in is set up wrongly for Grantbox at your company (the client, its allowed redirect http://127.0.0.1 on any port, or its scopes). Tell IT and include the helpdesk log.' },
      });
    }
    return new AppError('SIGN_IN_PROVIDER_REFUSED', `${ctx.provider} refused the sign-in (${error}).`, {
      cause: e,
      details: { ...details, hint: 'Try again; if it repeats, tell IT and include the helpdesk log.' },
    });
  }

  // Timestamps in the ID token do not fit this computer's clock.
  if (chain.some((c) => c.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED')) {
    return new AppError('SIGN_IN_CLOCK_SKEW', "Your computer's clock is wrong, so the sign-in could not be checked.", {
      cause: e,
      details: { ...where, hint: 'Set date and time to automatic (and the right time zone), then sign in again.' },
    });
  }

  // The network: nothing answered, or TLS failed.
  const net = chain.find((c) => (typeof c.code === 'string' && NETWORK_CODES.has(c.code)) || c.name === 'TimeoutError' || c.name === 'ConnectTimeoutError');
  if (net || (top.name === 'TypeError' && /fetch failed/i.test(String(top.message)))) {
    const tls = net && typeof net.code === 'string' && TLS_CODES.has(net.code);
    return new AppError('SIGN_IN_PROVIDER_UNREACHABLE', `Grantbox could not reach ${ctx.provider} (${ctx.host}).`, {
      cause: e,
      details: {
        ...where,
        ...(net?.code ? { errno: net.code } : {}),
        hint: tls
          ? "The sign-in server's certificate was not trusted (a proxy or a wrong address?). Tell IT; include the helpdesk log."
          : 'Check your internet connection (and VPN). If other sites work, the sign-in address in the settings may be wrong: tell IT.',
      },
    });
  }

  // Discovery answered, but not with a usable OpenID configuration.
  if (ctx.step === 'discovery') {
    return new AppError('SIGN_IN_DISCOVERY_BROKEN', `${ctx.provider}'s sign-in configuration could not be read.`, {
      cause: e,
      details: {
        ...where,
        ...(top.code ? { clientCode: top.code } : {}),
        hint: "The issuer in the settings does not publish a valid OpenID configuration at ISSUER/.well-known/openid-configuration (wrong address, or the issuer it names differs). Tell IT.",
      },
    });
  }

  // A response that fails the library's checks (signature, nonce, state, issuer, audience).
  if (typeof top.code === 'string' && top.code.startsWith('OAUTH_')) {
    return new AppError('SIGN_IN_RESPONSE_INVALID', `${ctx.provider}'s answer did not pass Grantbox's security checks, so it was not used.`, {
      cause: e,
      details: { ...where, clientCode: top.code, hint: 'Sign in again. If it repeats, tell IT (the client id or issuer in the settings may not match the provider).' },
    });
  }
  return new AppError('SIGN_IN_FAILED', `Signing in with ${ctx.provider} failed.`, {
    cause: e,
    details: { ...where, hint: 'Try again; if it repeats, send the helpdesk log to IT.' },
  });
}
