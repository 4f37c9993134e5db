// The redaction guard: secret-named fields dropped, secret-shaped strings masked, key ids cut to their last 4.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../main/services/errors';
import { FAKE_SECRET, FAKE_TOKEN } from './secrets.fixture';
import { isSecretFieldName, MASKED_SECRET, redactRecord, redactString } from '../../../../main/services/audit/redact';

describe('redactRecord', () => {
  it('drops fields named like secrets, at any depth, whatever their value', () => {
    const out = redactRecord({
      type: 'session.started',
      secretAccessKey: 'anything',
      SessionToken: 'short',
      nested: { aws_secret_access_key: 'x', password: 'p', mfaCode: '123456', TokenCode: '654321', otp: '1', keep: 'me' },
      Credentials: { AccessKeyId: 'ASIAIOSFODNN7EXAMPLE', SecretAccessKey: FAKE_SECRET, SessionToken: FAKE_TOKEN },
      list: [{ token: 't', name: 'n' }],
      code: 'KEYCHAIN_LOCKED',
    });
    expect(out).toEqual({ type: 'session.started', nested: { keep: 'me' }, list: [{ name: 'n' }], code: 'KEYCHAIN_LOCKED' });
  });

  it('masks secret keys and session tokens inside free text, and cuts access key ids to their last 4', () => {
    const out = redactRecord({
      type: 'signin.failed',
      message: `aws_secret_access_key=${FAKE_SECRET} token ${FAKE_TOKEN} for AKIAIOSFODNN7EXAMPLE`,
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      detail: ['ASIAABCDEFGHIJKLWXYZ'],
    });
    const text = JSON.stringify(out);
    expect(text).not.toContain(FAKE_SECRET);
    expect(text).not.toContain(FAKE_TOKEN.slice(0, 60));
    expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(out.message).toBe(`aws_secret_access_key=${MASKED_SECRET} token ${MASKED_SECRET} for …MPLE`);
    expect(out.accessKeyId).toBe('…MPLE');
    expect(out.detail).toEqual(['…WXYZ']);
  });

  it('finds a secret key quoted inside a path or after "="', () => {
    expect(redactString(`/home/x/${FAKE_SECRET}/y`)).toBe(`/home/x/${MASKED_SECRET}/y`);
    expect(redactString(`key=${FAKE_SECRET}`)).toBe(`key=${MASKED_SECRET}`);
    // 45 characters in one piece are not a 40-character key.
    expect(redactString(`${FAKE_SECRET}Abc12`)).toBe(`${FAKE_SECRET}Abc12`);
  });

  it('removes git tokens: credentials in a remote URL and GitHub/GitLab token shapes, wherever they are quoted', () => {
    const ghp = 'ghp_' + 'R4nd0mT0kenV4lue1234567890abcdefABCD';
    const fine = 'github_pat_' + '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456';
    const gl = 'glpat-' + 'xYz12AbC34dEf56GhI78';
    const out = redactRecord({
      type: 'grants.fetch_failed',
      message: `Could not fetch https://x-access-token:${ghp}@github.com/acme/grants.git (HTTP 401)`,
      error: { code: 'GIT_FETCH_FAILED', message: `remote https://oauth2:${gl}@gitlab.example.com/g.git said no`, details: { note: `token ${fine} refused` } },
      notes: [`export GIT_TOKEN=${ghp}`],
    });
    const text = JSON.stringify(out);
    for (const secret of [ghp, fine, gl, 'x-access-token:', 'oauth2:']) expect(text).not.toContain(secret);
    expect(out.message).toBe('Could not fetch https://github.com/acme/grants.git (HTTP 401)');
    expect(out.notes).toEqual([`export GIT_TOKEN=${MASKED_SECRET}`]);
    // An ordinary URL with a query or an e-mail address nearby is left alone.
    expect(redactString('see https://github.com/acme/grants?x=1 or mail it@example.com')).toBe('see https://github.com/acme/grants?x=1 or mail it@example.com');
  });

  it('keeps what helpdesk needs: git revisions, request ids, error codes, ordinary paths', () => {
    const record = {
      type: 'grants.updated',
      revision: '9001c29e4b1f0a6a1d2c3b4a5f6e7d8c9b0a1f2e',
      requestId: 'c3f1e2d4-5b6a-4789-9abc-def012345678',
      key: 'hr/2026/payroll/report-final.xlsx',
      folder: 'folder/subfolder/anotherfolder/abcdefghij',
      error: new AppError('STS_ACCESS_DENIED', 'You are not allowed.', { details: { requestId: 'r-1', hint: 'Ask.' } }),
      accessKeyIdLast4: 'WXYZ',
    };
    const out = redactRecord(record);
    expect(out).toEqual({ ...record, error: { code: 'STS_ACCESS_DENIED', message: 'You are not allowed.', details: { requestId: 'r-1', hint: 'Ask.' } } });
  });

  it('turns an unserializable record into a note instead of throwing', () => {
    const loop: Record<string, unknown> = { type: 'x' };
    loop.self = loop;
    expect(redactRecord(loop as never)).toEqual({ type: 'x', note: 'record could not be serialized' });
  });

  it('knows secret field names and leaves ordinary ones', () => {
    for (const n of ['secret', 'secretAccessKey', 'aws_session_token', 'sessionToken', 'token', 'password', 'mfaCode', 'mfa-code', 'tokenCode'])
      expect(isSecretFieldName(n)).toBe(true);
    for (const n of ['code', 'errorCode', 'accessKeyIdLast4', 'grant', 'key', 'file']) expect(isSecretFieldName(n)).toBe(false);
    expect(redactString('plain words')).toBe('plain words');
  });
});
