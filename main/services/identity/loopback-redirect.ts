// The loopback redirect of a native app's browser sign-in (RFC 8252 §7.3): a one-shot HTTP listener on 127.0.0.1
// with a port the OS picks, which waits for the provider to send the browser back with `code` and `state`, checks
// the state, answers a plain "You can close this tab" page, and stops. Only the callback path is served; anything
// else (favicon, a port scanner) gets 404 and does not end the wait. The code never leaves main.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors';

export interface LoopbackResult {
  code: string;
  /** The whole callback URL (redirect_uri + code, state and, when the provider sends it, iss), for libraries that check it. */
  url: string;
}

export interface LoopbackRedirect {
  /** http://127.0.0.1:PORT/PATH — the redirect_uri to send in the authorization request. */
  redirectUri: string;
  /** Resolves with the code once the browser comes back with the expected state; rejects on error/cancel/timeout. */
  result: Promise<LoopbackResult>;
  /** Stops listening (idempotent). */
  close(): void;
}

export interface LoopbackOptions {
  /** The `state` sent in the authorization request; a callback with another state is refused. */
  state: string;
  /** Callback path, default /oauth/callback. */
  path?: string;
  /** Give up after this long (default 10 minutes): SIGN_IN_TIMED_OUT. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Provider name for the page ("Company1"). */
  providerName?: string;
}

function page(title: string, text: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><meta name="viewport" content="width=device-width"><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}</style></head><body><h1>${esc(title)}</h1><p>${esc(text)}</p></body></html>`;
}

/** What the provider's `error` parameter means, in words people can act on. */
function providerError(error: string, description: string | null, providerName: string): AppError {
  if (error === 'access_denied') {
    return new AppError('SIGN_IN_CONSENT_DENIED', `Signing in with ${providerName} was cancelled or refused in the browser.`, {
      details: { hint: 'Sign in again and accept the request. If your company refuses it, ask IT whether Grantbox is allowed for you.', providerError: error },
    });
  }
  return new AppError('SIGN_IN_PROVIDER_REFUSED', `${providerName} refused the sign-in (${error}).`, {
    details: {
      hint: 'This usually means the sign-in is set up wrongly for Grantbox (client or redirect address). Tell IT and include the helpdesk log.',
      providerError: error,
      ...(description ? { providerErrorDescription: description.slice(0, 300) } : {}),
    },
  });
}

export async function startLoopbackRedirect(options: LoopbackOptions): Promise<LoopbackRedirect> {
  const callbackPath = options.path ?? '/oauth/callback';
  const providerName = options.providerName ?? 'your company';
  if (options.signal?.aborted) throw new AppError('SIGN_IN_CANCELLED', 'Signing in was cancelled.', { details: { hint: 'Sign in again when you are ready.' } });
  let settle!: { resolve: (r: LoopbackResult) => void; reject: (e: unknown) => void };
  const result = new Promise<LoopbackResult>((resolve, reject) => (settle = { resolve, reject }));
  // Nobody may be awaiting yet when the wait ends (e.g. cancelled before the link was shown).
  result.catch(() => undefined);
  let done = false;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== callbackPath || done) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };
    const state = url.searchParams.get('state');
    if (state !== options.state) {
      // Another tab's or an attacker's callback: refuse it, keep waiting for ours.
      res.writeHead(400, headers).end(page('This sign-in link is not the current one', 'Go back to Grantbox and start signing in again.'));
      return;
    }
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error) {
      res.writeHead(200, headers).end(page('Sign-in did not finish', 'Go back to Grantbox: it says what happened and what to do.'));
      finish(providerError(error, url.searchParams.get('error_description'), providerName));
      return;
    }
    if (!code) {
      res.writeHead(400, headers).end(page('Sign-in did not finish', 'The sign-in page came back without an answer. Go back to Grantbox and try again.'));
      finish(new AppError('SIGN_IN_PROVIDER_REFUSED', `${providerName} sent the browser back without a sign-in code.`, { details: { hint: 'Try again; if it repeats, tell IT (the redirect is set up wrongly).' } }));
      return;
    }
    res.writeHead(200, headers).end(page('You are signed in to Grantbox', 'You can close this tab and go back to Grantbox.'));
    finish({ code, url: new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`).href });
  });

  function finish(outcome: LoopbackResult | AppError): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    // Let the page reach the browser before the listener goes away.
    server.close();
    setTimeout(() => server.closeAllConnections(), 1_000).unref();
    if (outcome instanceof AppError) settle.reject(outcome);
    else settle.resolve(outcome);
  }
  const onAbort = () => finish(new AppError('SIGN_IN_CANCELLED', 'Signing in was cancelled.', { details: { hint: 'Sign in again when you are ready.' } }));
  const timer = setTimeout(
    () => finish(new AppError('SIGN_IN_TIMED_OUT', 'Signing in took too long, so Grantbox stopped waiting for the browser.', { details: { hint: 'Sign in again and finish in the browser within 10 minutes.' } })),
    options.timeoutMs ?? 10 * 60_000,
  );
  timer.unref();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    redirectUri: `http://127.0.0.1:${port}${callbackPath}`,
    result,
    close: () => finish(new AppError('SIGN_IN_CANCELLED', 'Signing in was cancelled.', { details: { hint: 'Sign in again when you are ready.' } })),
  };
}
