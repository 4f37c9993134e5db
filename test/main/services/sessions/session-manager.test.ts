// Session manager with a mocked STS and fake timers: exact AssumeRole input, refresh schedule (min(5 min, 20%)),
// shared refreshes, expiring(10/2)/expired events for idle sessions, failed refresh keeps old credentials,
// SourceIdentity fallback, MFA asked once per MFA session.
import { ListMFADevicesCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { USER_NAME_RE } from '../../../../config/policy';
import { AwsClientFactory } from '../../../../main/services/aws/client-factory';
import type { LogRecord } from '../../../../main/services/audit/types';
import { refreshLeadMs, sanitizeSourceIdentity, SessionManager } from '../../../../main/services/sessions/session-manager';
import type { SessionGrant } from '../../../../main/services/sessions/types';
import type { LongTermCredentials } from '../../../../main/services/identity/identity-service';
import type { MfaRequest, SessionEvent } from '../../../../preload/contract';

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const SECRET = 'LONG-TERM-SECRET-do-not-log';
const T0 = Date.parse('2026-11-27T10:00:00Z');
const HOUR = 3600_000;

const lt: LongTermCredentials = {
  accessKeyId: 'AKIAJOHN000000001234',
  secretAccessKey: SECRET,
  identity: { arn: 'arn:aws:iam::629470240201:user/john', account: '629470240201', userName: 'john o\'brien', accessKeyIdLast4: '1234', verified: true },
};
const grant: SessionGrant = {
  name: 'hr-upload',
  title: 'HR uploads',
  contact: 'it@company1.example',
  roleArn: 'arn:aws:iam::629470240201:role/JohnUploadRole',
  durationSeconds: 3600,
  sessionName: 'john-hr-upload',
  externalId: 'ext-123',
  mfa: false,
  policyJson: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::company1-hr/*"}]}',
  policySize: 113,
};

let n = 0;
function creds(expiresAt: number) {
  n += 1;
  return {
    Credentials: { AccessKeyId: `ASIATEMP${String(n).padStart(12, '0')}`, SecretAccessKey: `temp-secret-${n}`, SessionToken: `TOKEN-${n}`, Expiration: new Date(expiresAt) },
    AssumedRoleUser: { Arn: 'arn:aws:sts::629470240201:assumed-role/JohnUploadRole/john-hr-upload', AssumedRoleId: 'AROA:x' },
    PackedPolicySize: 7,
    $metadata: { requestId: `req-${n}` },
  };
}

let records: LogRecord[];
let events: SessionEvent[];
function manager(g: SessionGrant = grant, extra: Partial<ConstructorParameters<typeof SessionManager>[0]> = {}) {
  const m = new SessionManager({
    identity: { baseCredentials: async () => ({ kind: 'aws' as const, ...lt }) },
    grants: { resolvedFor: () => g },
    clients: new AwsClientFactory({ region: 'us-east-1' }, {}),
    log: { append: async (r) => void records.push(r) },
    ...extra,
  });
  m.onEvent((e) => events.push(e));
  return m;
}

beforeEach(() => {
  sts.reset();
  iam.reset();
  records = [];
  events = [];
  n = 0;
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => vi.useRealTimers());

describe('refreshLeadMs', () => {
  it('is 5 minutes for long sessions and 20% for short ones', () => {
    expect(refreshLeadMs(HOUR)).toBe(300_000);
    expect(refreshLeadMs(15 * 60_000)).toBe(180_000);
    expect(refreshLeadMs(8_000)).toBe(1_600);
  });
  it('SourceIdentity is exactly the name that fills {user} (what the IAM kit\'s ${aws:SourceIdentity} folders rely on)', () => {
    // Every name Grantbox accepts for {user} (USER_NAME_RE) of 2+ characters is sent unchanged; only a
    // one-character name is padded (STS wants 2–64), and the kit's notes say such a user cannot use the role.
    fc.assert(
      fc.property(fc.stringMatching(/^[\w+=,.@-]{2,64}$/), (name) => {
        expect(USER_NAME_RE.test(name)).toBe(true);
        expect(sanitizeSourceIdentity(name)).toBe(name);
      }),
    );
    expect(sanitizeSourceIdentity('j')).toBe('j-');
  });
  it('sanitizes SourceIdentity to STS\'s alphabet', () => {
    expect(sanitizeSourceIdentity("john o'brien")).toBe('john-o-brien');
    expect(sanitizeSourceIdentity('j')).toBe('j-');
    expect(sanitizeSourceIdentity('x'.repeat(80))).toHaveLength(64);
  });
});

describe('SessionManager', () => {
  it('assumes with exactly the grant\'s values and logs without secrets', async () => {
    sts.on(AssumeRoleCommand).callsFake(() => creds(Date.now() + HOUR));
    const m = manager();
    const info = await m.assume('hr-upload');
    const input = sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
    expect(input).toEqual({
      RoleArn: grant.roleArn,
      RoleSessionName: 'john-hr-upload',
      DurationSeconds: 3600,
      Policy: grant.policyJson,
      ExternalId: 'ext-123',
      SourceIdentity: 'john-o-brien',
    });
    expect(info).toMatchObject({ grant: 'hr-upload', state: 'active', packedPolicySize: 7, sourceIdentity: 'john-o-brien', expiresAt: new Date(T0 + HOUR).toISOString(), accessKeyIdLast4: '0001' });
    expect(events.map((e) => e.type)).toEqual(['started']);
    const started = records.find((r) => r.type === 'session.started')!;
    expect(started).toMatchObject({ grant: 'hr-upload', roleArn: grant.roleArn, sessionName: 'john-hr-upload', sourceIdentity: 'john-o-brien', packedPolicySize: 7, requestId: 'req-1' });
    const text = JSON.stringify(records) + JSON.stringify(events) + JSON.stringify(m.list());
    for (const secret of [SECRET, 'temp-secret-1', 'TOKEN-1', 'ASIATEMP000000000001', lt.accessKeyId]) expect(text).not.toContain(secret);
    // A second assume while fresh reuses the session.
    await m.assume('hr-upload');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('the provider carries expiration and a used session is refreshed 5 minutes before expiry', async () => {
    sts.on(AssumeRoleCommand).callsFake(() => creds(Date.now() + HOUR));
    const m = manager();
    await m.assume('hr-upload');
    const provider = m.credentialProvider('hr-upload');
    const first = await provider();
    expect(first).toMatchObject({ accessKeyId: 'ASIATEMP000000000001', sessionToken: 'TOKEN-1', expiration: new Date(T0 + HOUR) });
    await vi.advanceTimersByTimeAsync(HOUR - 300_000 - 1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['started']); // no expiring warning: it will be renewed
    await vi.advanceTimersByTimeAsync(2);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(events.map((e) => e.type)).toEqual(['started', 'refreshed']);
    expect((await provider()).accessKeyId).toBe('ASIATEMP000000000002');
    expect(m.list()[0]).toMatchObject({ refreshedAt: new Date(T0 + HOUR - 300_000).toISOString(), expiresAt: new Date(T0 + 2 * HOUR - 300_000).toISOString() });
  });

  it('concurrent callers that find the session due share one refresh', async () => {
    sts.on(AssumeRoleCommand).callsFake(() => creds(Date.now() + HOUR));
    const m = manager();
    await m.assume('hr-upload');
    vi.setSystemTime(T0 + HOUR - 60_000); // past the refresh point, timers not run
    const provider = m.credentialProvider('hr-upload');
    const all = await Promise.all([provider(), provider(), provider(), m.credentialProvider('hr-upload')()]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIATEMP000000000002']));
  });

  it('an idle session warns at 10 and 2 minutes, then expires', async () => {
    sts.on(AssumeRoleCommand).callsFake(() => creds(Date.now() + HOUR));
    const m = manager();
    await m.assume('hr-upload');
    await vi.advanceTimersByTimeAsync(HOUR - 10 * 60_000);
    expect(events.at(-1)).toMatchObject({ type: 'expiring', minutesLeft: 10, at: new Date(T0 + HOUR - 600_000).toISOString(), session: { state: 'expiring' } });
    await vi.advanceTimersByTimeAsync(8 * 60_000);
    expect(events.at(-1)).toMatchObject({ type: 'expiring', minutesLeft: 2 });
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(events.map((e) => e.type)).toEqual(['started', 'expiring', 'expiring', 'expired']);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    await expect(m.credentialProvider('hr-upload')()).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(records.map((r) => r.type)).toContain('session.expired');
    // Starting again makes a new session.
    await m.assume('hr-upload');
    expect(m.list()[0]!.state).toBe('active');
  });

  it('a failed refresh keeps the old credentials until expiry and emits failed', async () => {
    sts.on(AssumeRoleCommand).resolvesOnce(creds(T0 + HOUR)).rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const m = manager();
    await m.assume('hr-upload');
    const provider = m.credentialProvider('hr-upload');
    await provider();
    await vi.advanceTimersByTimeAsync(HOUR - 300_000);
    const failed = events.find((e) => e.type === 'failed');
    expect(failed?.error).toMatchObject({ code: 'ENDPOINT_UNREACHABLE' });
    expect((await provider()).accessKeyId).toBe('ASIATEMP000000000001');
    expect(records.some((r) => r.type === 'session.refresh_failed' && r.code === 'ENDPOINT_UNREACHABLE')).toBe(true);
    // The 2-minute warning still comes, then expiry.
    await vi.advanceTimersByTimeAsync(300_000);
    expect(events.some((e) => e.type === 'expiring' && e.minutesLeft === 2)).toBe(true);
    expect(events.at(-1)!.type).toBe('expired');
  });

  it('an unknown trust policy refusal is plain language and leaves no session', async () => {
    sts.on(AssumeRoleCommand).rejects(new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403, requestId: 'r-x' }, message: 'not authorized' }));
    const m = manager();
    await expect(m.assume('hr-upload')).rejects.toMatchObject({ code: 'NOT_IN_TRUST_POLICY', message: expect.stringContaining('it@company1.example'), details: { requestId: 'r-x' } });
    expect(m.list()).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['failed']);
    expect(records.filter((r) => r.type === 'session.start_failed').at(-1)).toMatchObject({ code: 'NOT_IN_TRUST_POLICY', requestId: 'r-x' });
  });

  it('retries without SourceIdentity when the trust policy lacks sts:SetSourceIdentity, and remembers', async () => {
    const denied = new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized to perform sts:SetSourceIdentity' });
    sts.on(AssumeRoleCommand).callsFake((input: { SourceIdentity?: string }) => {
      if (input.SourceIdentity) throw denied;
      return creds(Date.now() + HOUR);
    });
    const m = manager();
    const info = await m.assume('hr-upload');
    expect(info.sourceIdentity).toBeUndefined();
    expect(records.some((r) => r.type === 'session.source_identity_refused')).toBe(true);
    await m.extend('hr-upload');
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.SourceIdentity)).toEqual(['john-o-brien', undefined, undefined]);
  });

  it('end() stops timers and emits ended; the provider then refuses', async () => {
    sts.on(AssumeRoleCommand).callsFake(() => creds(Date.now() + HOUR));
    const m = manager();
    await m.assume('hr-upload');
    await m.end('hr-upload');
    await vi.advanceTimersByTimeAsync(2 * HOUR);
    expect(events.map((e) => e.type)).toEqual(['started', 'ended']);
    await expect(m.credentialProvider('hr-upload')()).rejects.toMatchObject({ code: 'SESSION_NOT_STARTED' });
  });

  describe('MFA', () => {
    const mfaGrant: SessionGrant = { ...grant, mfa: true };
    it('asks once, uses an MFA-backed GetSessionToken for AssumeRole, and reuses it for refreshes', async () => {
      iam.on(ListMFADevicesCommand).resolves({ MFADevices: [{ SerialNumber: 'arn:aws:iam::629470240201:mfa/john', UserName: 'john', EnableDate: new Date() }] });
      sts.on(GetSessionTokenCommand).resolves({ Credentials: { AccessKeyId: 'ASIAMFA', SecretAccessKey: 'mfa-secret', SessionToken: 'MFA-TOKEN', Expiration: new Date(T0 + 12 * HOUR) } });
      sts.on(AssumeRoleCommand).callsFake(() => creds(Date.now() + HOUR));
      const prompt = vi.fn(async (_request: MfaRequest) => '123456');
      const m = manager(mfaGrant);
      await m.assume('hr-upload', { mfaPrompt: prompt });
      await m.extend('hr-upload');
      expect(prompt).toHaveBeenCalledTimes(1);
      expect(prompt.mock.calls[0]![0]).toMatchObject({ grant: 'hr-upload', grantTitle: 'HR uploads', deviceName: 'arn:aws:iam::629470240201:mfa/john' });
      expect(sts.commandCalls(GetSessionTokenCommand)[0]!.args[0].input).toEqual({ DurationSeconds: 43200, SerialNumber: 'arn:aws:iam::629470240201:mfa/john', TokenCode: '123456' });
      expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.SerialNumber).toBeUndefined();
      expect(JSON.stringify(records)).not.toContain('123456');
      expect(JSON.stringify(records)).not.toContain('MFA-TOKEN');
    });
    it('cancelling the prompt or having no prompt is a clear error', async () => {
      iam.on(ListMFADevicesCommand).resolves({ MFADevices: [{ SerialNumber: 'arn:aws:iam::1:mfa/j', UserName: 'j', EnableDate: new Date() }] });
      await expect(manager(mfaGrant).assume('hr-upload')).rejects.toMatchObject({ code: 'MFA_REQUIRED' });
      await expect(manager(mfaGrant).assume('hr-upload', { mfaPrompt: async () => null })).rejects.toMatchObject({ code: 'MFA_CANCELLED' });
      await expect(manager(mfaGrant).assume('hr-upload', { mfaPrompt: async () => '12ab' })).rejects.toMatchObject({ code: 'MFA_CODE_INVALID' });
      iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
      await expect(manager(mfaGrant).assume('hr-upload', { mfaPrompt: async () => '123456' })).rejects.toMatchObject({ code: 'MFA_DEVICE_MISSING' });
    });
  });
});

describe('role chaining (IAM Identity Center base keys)', () => {
  it('asks for at most one hour when the base keys are temporary, and the grant’s own duration otherwise', async () => {
    sts.on(AssumeRoleCommand).resolves(creds(T0 + HOUR));
    const idcKeys = { kind: 'aws' as const, ...lt, accessKeyId: 'ASIAIDCROLE000000001', sessionToken: 'idc-session-token', expiration: new Date(T0 + HOUR) };
    const chained = manager({ ...grant, durationSeconds: 4 * 3600 }, { identity: { baseCredentials: async () => idcKeys } });
    await chained.assume('hr-upload');
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.DurationSeconds).toBe(3600);
    chained.close();
    const direct = manager({ ...grant, durationSeconds: 4 * 3600 });
    await direct.assume('hr-upload');
    expect(sts.commandCalls(AssumeRoleCommand)[1]!.args[0].input.DurationSeconds).toBe(4 * 3600);
    direct.close();
  });
});
