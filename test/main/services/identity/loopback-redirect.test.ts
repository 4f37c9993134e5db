// The loopback redirect over real HTTP on 127.0.0.1: a random port, the state checked (a foreign callback is
// refused and the wait goes on), the provider's error words, cancel and timeout, and the "close this tab" page.
import { startLoopbackRedirect } from '../../../../main/services/identity/loopback-redirect';

async function get(url: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('startLoopbackRedirect', () => {
  it('listens on 127.0.0.1 with an OS-chosen port and resolves with the code once the right state comes back', async () => {
    const lb = await startLoopbackRedirect({ state: 'S1', providerName: 'Company1' });
    expect(lb.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d{2,5}\/oauth\/callback$/);
    expect((await get(lb.redirectUri.replace('/oauth/callback', '/favicon.ico'))).status).toBe(404);
    const foreign = await get(`${lb.redirectUri}?code=EVIL&state=OTHER`);
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('This sign-in link is not the current one');
    const ok = await get(`${lb.redirectUri}?code=THE-CODE&state=S1`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('You can close this tab');
    expect(ok.text).not.toContain('THE-CODE');
    expect(ok.headers.get('cache-control')).toBe('no-store');
    await expect(lb.result).resolves.toEqual({ code: 'THE-CODE', url: `${lb.redirectUri}?code=THE-CODE&state=S1` });
    // One shot: the listener is gone.
    await expect(fetch(`${lb.redirectUri}?code=again&state=S1`)).rejects.toThrow();
  });

  it('turns the provider error into plain words: access_denied is a refusal, anything else a setup problem', async () => {
    const denied = await startLoopbackRedirect({ state: 's', providerName: 'Company1' });
    await get(`${denied.redirectUri}?error=access_denied&state=s`);
    await expect(denied.result).rejects.toMatchObject({ code: 'SIGN_IN_CONSENT_DENIED', message: 'Signing in with Company1 was cancelled or refused in the browser.' });
    const bad = await startLoopbackRedirect({ state: 's', providerName: 'Company1' });
    await get(`${bad.redirectUri}?error=unauthorized_client&error_description=redirect%20not%20allowed&state=s`);
    await expect(bad.result).rejects.toMatchObject({ code: 'SIGN_IN_PROVIDER_REFUSED', details: { providerError: 'unauthorized_client', providerErrorDescription: 'redirect not allowed' } });
  });

  it('stops waiting on cancel, on an aborted signal, and after the time limit', async () => {
    const a = await startLoopbackRedirect({ state: 's' });
    a.close();
    await expect(a.result).rejects.toMatchObject({ code: 'SIGN_IN_CANCELLED' });
    const ctl = new AbortController();
    const b = await startLoopbackRedirect({ state: 's', signal: ctl.signal });
    ctl.abort();
    await expect(b.result).rejects.toMatchObject({ code: 'SIGN_IN_CANCELLED' });
    const c = await startLoopbackRedirect({ state: 's', timeoutMs: 50 });
    await expect(c.result).rejects.toMatchObject({ code: 'SIGN_IN_TIMED_OUT' });
  });
});
