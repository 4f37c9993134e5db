// openid-client's failures → one plain-language code each (shapes as the library throws them; the integration
// tests produce the real ones against the local provider).
import { oidcError, type OidcStep } from '../../../../main/services/identity/oidc-errors';

const ctx = (step: OidcStep) => ({ step, provider: 'Company1', host: 'login.company1.example' });
const body = (error: string, error_description?: string) => Object.assign(new Error('server responded with an error in the response body'), { name: 'ResponseBodyError', error, error_description, status: 400 });

describe('oidcError', () => {
  it('invalid_grant on refresh: the sign-in has ended', () => {
    const e = oidcError(body('invalid_grant', 'grant request is invalid'), ctx('refresh'));
    expect(e.code).toBe('SIGN_IN_ENDED');
    expect(e.message).toBe('Your company sign-in has ended — sign in again.');
    expect(e.details).toMatchObject({ providerError: 'invalid_grant', step: 'refresh' });
  });

  it('client or redirect set up wrongly: tell IT', () => {
    for (const error of ['invalid_client', 'unauthorized_client', 'invalid_scope', 'invalid_request']) {
      const e = oidcError(body(error), ctx('token'));
      expect(e.code).toBe('SIGN_IN_MISCONFIGURED');
      expect(String(e.details.hint)).toMatch(/Tell IT/);
    }
    // invalid_grant while exchanging a code is a setup problem too, not "sign in again" forever.
    expect(oidcError(body('invalid_grant'), ctx('token')).code).toBe('SIGN_IN_MISCONFIGURED');
  });

  it('consent denied and an expired device code', () => {
    expect(oidcError(body('access_denied'), ctx('device')).code).toBe('SIGN_IN_CONSENT_DENIED');
    expect(oidcError(body('expired_token'), ctx('device')).code).toBe('SIGN_IN_TIMED_OUT');
  });

  it('the provider unreachable (refused, DNS, TLS, timeout)', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const e = oidcError(refused, ctx('refresh'));
    expect(e).toMatchObject({ code: 'SIGN_IN_PROVIDER_UNREACHABLE', message: 'Grantbox could not reach Company1 (login.company1.example).', details: { errno: 'ECONNREFUSED' } });
    expect(oidcError(new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } }), ctx('discovery')).code).toBe('SIGN_IN_PROVIDER_UNREACHABLE');
    const tls = oidcError(new TypeError('fetch failed', { cause: { code: 'SELF_SIGNED_CERT_IN_CHAIN' } }), ctx('discovery'));
    expect(String(tls.details.hint)).toMatch(/certificate/);
    expect(oidcError(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }), ctx('token')).code).toBe('SIGN_IN_PROVIDER_UNREACHABLE');
  });

  it('a broken discovery document, a clock that is off, a response failing checks', () => {
    expect(oidcError(Object.assign(new Error('unexpected response content-type'), { code: 'OAUTH_RESPONSE_IS_NOT_JSON' }), ctx('discovery')).code).toBe('SIGN_IN_DISCOVERY_BROKEN');
    expect(oidcError(Object.assign(new Error('discovered metadata issuer does not match'), { code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' }), ctx('discovery')).code).toBe('SIGN_IN_DISCOVERY_BROKEN');
    const skew = Object.assign(new Error('JWT timestamp claim value failed validation'), { code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' });
    expect(oidcError(skew, ctx('token')).code).toBe('SIGN_IN_CLOCK_SKEW');
    expect(oidcError(Object.assign(new Error('unexpected JWT claim value encountered'), { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' }), ctx('token')).code).toBe('SIGN_IN_RESPONSE_INVALID');
    expect(oidcError(new Error('something else'), ctx('token')).code).toBe('SIGN_IN_FAILED');
  });

  it('never copies a token into the error', () => {
    const e = oidcError(Object.assign(body('invalid_grant'), { cause: { refresh_token: 'rt-secret-value' } }), ctx('refresh'));
    expect(JSON.stringify(e.toJSON())).not.toContain('rt-secret-value');
  });
});
