import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../../../main/services/errors';
import { registerIpc, reportProgress } from '../../../../main/app/ipc/register';
import type { EventChannel, IdentityInfo, MfaRequest, QueueSnapshot } from '../../../../preload/contract';
import type { MfaPrompt } from '../../../../main/services/services';
import { fakeServices, RecordingTransport, trustedSenders } from '../../../helpers/ipc-fakes';

const john: IdentityInfo = { arn: 'arn:aws:iam::123456789012:user/john', account: '123456789012', userName: 'john', accessKeyIdLast4: 'MPLE', verified: true };

function setup(overrides: Parameters<typeof fakeServices>[0] = {}, opts: { noServices?: boolean } = {}) {
  const transport = new RecordingTransport();
  const fake = fakeServices(overrides);
  const sent: Array<[EventChannel, unknown]> = [];
  const shell = { openExternal: vi.fn(async () => {}), openSignInPage: vi.fn(async () => {}), copyText: vi.fn(), notify: vi.fn(), setProgress: vi.fn() };
  const dialogs = { saveFile: vi.fn<() => Promise<string | null>>(async () => '/tmp/out.jsonl'), openPaths: vi.fn<() => Promise<string[]>>(async () => ['/tmp/a.txt']), confirm: vi.fn<() => Promise<boolean>>(async () => false) };
  const reg = registerIpc({
    transport,
    trusted: trustedSenders(),
    events: { send: (c, p) => void sent.push([c, p]) },
    services: opts.noServices ? null : fake.services,
    info: {
      version: '1.2.3',
      platform: 'linux',
      settingsPath: '/x/settings.yaml',
      ...(opts.noServices ? { settingsProblem: { code: 'SETTINGS_MISSING', message: 'Grantbox has no settings yet.', details: { hint: 'Ask IT.' } } } : {}),
    },
    dialogs,
    shell,
    now: () => Date.UTC(2026, 10, 27, 12),
    mfaTimeoutMs: 200,
  });
  return { transport, sent, shell, dialogs, reg, ...fake };
}

describe('registerIpc', () => {
  it('app:info carries the settings problem and other channels explain it', async () => {
    const { transport } = setup({}, { noServices: true });
    const info = await transport.call('app:info', undefined);
    expect(info).toMatchObject({ ok: true, value: { settingsProblem: { code: 'SETTINGS_MISSING' } } });
    const r = await transport.call('identity:get', undefined);
    expect(r).toMatchObject({ ok: false, error: { code: 'SETTINGS_MISSING', message: 'Grantbox has no settings yet.', details: { hint: 'Ask IT.' } } });
  });

  it('app:info retries building the services while there are none, and subscribes once they exist', async () => {
    const transport = new RecordingTransport();
    const sent: Array<[EventChannel, unknown]> = [];
    const { services } = fakeServices({ identity: { current: async () => john } });
    let attempts = 0;
    const loaded = vi.fn();
    registerIpc({
      transport,
      trusted: trustedSenders(),
      events: { send: (c, p) => void sent.push([c, p]) },
      services: null,
      info: { version: '1', platform: 'linux', settingsPath: '/x/s.yaml', settingsProblem: { code: 'SETTINGS_MISSING', message: 'No settings.' } },
      loadServices: async () => {
        attempts++;
        if (attempts === 1) throw new AppError('SETTINGS_INVALID', 'Line 3 is wrong.');
        return services;
      },
      onServicesLoaded: loaded,
      dialogs: { saveFile: async () => null, openPaths: async () => [], confirm: async () => false },
      shell: { openExternal: async () => {}, openSignInPage: async () => {}, copyText: () => {}, notify: () => {}, setProgress: () => {} },
    });
    await expect(transport.call('app:info', undefined)).resolves.toMatchObject({ ok: true, value: { settingsProblem: { code: 'SETTINGS_INVALID', message: 'Line 3 is wrong.' } } });
    await expect(transport.call('identity:get', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'SETTINGS_INVALID' } });
    const second = await transport.call('app:info', undefined);
    expect(second).toEqual({ ok: true, value: { version: '1', platform: 'linux', settingsPath: '/x/s.yaml' } });
    expect(loaded).toHaveBeenCalledWith(services);
    await expect(transport.call('identity:get', undefined)).resolves.toEqual({ ok: true, value: john });
    await transport.call('app:info', undefined);
    expect(attempts).toBe(2);
  });

  it('opens only allow-listed https links', async () => {
    const { transport, shell } = setup();
    await expect(transport.call('app:openExternal', { url: 'https://docs.aws.amazon.com/IAM/' })).resolves.toEqual({ ok: true, value: undefined });
    for (const url of ['http://docs.aws.amazon.com/', 'file:///etc/passwd', 'https://evil.example/', 'https://docs.aws.amazon.com.evil.example/', 'javascript:alert(1)']) {
      await expect(transport.call('app:openExternal', { url })).resolves.toMatchObject({ ok: false, error: { code: 'EXTERNAL_LINK_REFUSED' } });
    }
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('hands the browser the parsed, normalised URL, never the raw string that was checked', async () => {
    const { transport, shell } = setup();
    await expect(transport.call('app:openExternal', { url: 'https://github.com\\@evil.com' })).resolves.toEqual({ ok: true, value: undefined });
    await transport.call('app:openExternal', { url: 'HTTPS://GitHub.com/a/../b?q=1 2' });
    expect((shell.openExternal as ReturnType<typeof vi.fn>).mock.calls).toEqual([['https://github.com/@evil.com'], ['https://github.com/b?q=1%202']]);
  });

  it('company sign-in: main opens the provider page, copies the link itself, cancel aborts; the page gets only who signed in', async () => {
    const LINK = 'https://login.company1.example/auth?client_id=grantbox&code_challenge=abc&state=xyz';
    let seen: { signal?: AbortSignal } = {};
    const signInInteractive = vi.fn(
      (options: { signal?: AbortSignal; onLink?: (l: { url: string; opened: boolean }) => void }) =>
        new Promise((resolve, reject) => {
          seen = options;
          options.onLink?.({ url: LINK, opened: false });
          options.signal?.addEventListener('abort', () => reject(new AppError('SIGN_IN_CANCELLED', 'Signing in was cancelled.')));
          setTimeout(() => resolve({ ...john, method: 'oidc', provider: 'Company1' }), 30);
        }),
    );
    const { transport, shell } = setup({ identity: { signInInteractive, summary: () => ({ method: 'oidc', name: 'Company1' }) } });
    await expect(transport.call('identity:method', undefined)).resolves.toEqual({ ok: true, value: { method: 'oidc', name: 'Company1' } });
    // Nothing to copy before a sign-in started.
    await expect(transport.call('identity:copySignInLink', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'SIGN_IN_NO_LINK' } });

    const pending = transport.call('identity:signInWithCompany', undefined);
    await vi.waitFor(() => expect(shell.openSignInPage).toHaveBeenCalledWith(LINK));
    await expect(transport.call('identity:copySignInLink', undefined)).resolves.toEqual({ ok: true, value: undefined });
    expect(shell.copyText).toHaveBeenCalledWith(LINK);
    const done = await pending;
    expect(done).toMatchObject({ ok: true, value: { userName: 'john', provider: 'Company1' } });
    expect(JSON.stringify(done)).not.toContain('code_challenge');
    expect(seen.signal?.aborted).toBe(false);

    // Cancel: the waiting call ends with SIGN_IN_CANCELLED.
    signInInteractive.mockImplementationOnce(
      (options) =>
        new Promise((_resolve, reject) => {
          options.onLink?.({ url: LINK, opened: true });
          options.signal?.addEventListener('abort', () => reject(new AppError('SIGN_IN_CANCELLED', 'Signing in was cancelled.')));
        }),
    );
    const waiting = transport.call('identity:signInWithCompany', undefined);
    await vi.waitFor(() => expect(signInInteractive).toHaveBeenCalledTimes(2));
    await transport.call('identity:cancelSignIn', undefined);
    await expect(waiting).resolves.toMatchObject({ ok: false, error: { code: 'SIGN_IN_CANCELLED' } });
    // A link the method opened itself is not opened twice.
    expect(shell.openSignInPage).toHaveBeenCalledTimes(1);
  });

  it('identity:signIn passes a stated ARN to the identity service, and no options without one', async () => {
    const signIn = vi.fn(async () => ({ ...john, verified: false, note: 'could not confirm' }));
    const { transport } = setup({ identity: { signIn } });
    const keys = { accessKeyId: 'minioadmin', secretAccessKey: 'minio-secret-key' };
    const r = await transport.call('identity:signIn', { ...keys, arn: 'arn:minio:iam:::user/john' });
    expect(r).toMatchObject({ ok: true, value: { verified: false, note: 'could not confirm' } });
    await transport.call('identity:signIn', keys);
    expect(signIn.mock.calls).toEqual([
      ['minioadmin', 'minio-secret-key', { arn: 'arn:minio:iam:::user/john' }],
      ['minioadmin', 'minio-secret-key', undefined],
    ]);
  });

  it('grants:list needs a signed-in identity and lists only mine', async () => {
    let who: IdentityInfo | null = null;
    const forMe = vi.fn(() => [{ name: 'hr-upload' }]);
    const { transport } = setup({ identity: { current: async () => who }, grants: { forMe } });
    await expect(transport.call('grants:list', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    who = john;
    await expect(transport.call('grants:list', undefined)).resolves.toEqual({ ok: true, value: [{ name: 'hr-upload' }] });
    expect(forMe).toHaveBeenCalledWith(john);
  });

  it('passes AppErrors from services through with their code', async () => {
    const { transport } = setup({
      sessions: { assume: async () => { throw new AppError('STS_NOT_TRUSTED', 'This role does not trust you.', { details: { requestId: 'abc' } }); } },
    });
    await expect(transport.call('session:assume', { grant: 'hr-upload' })).resolves.toEqual({
      ok: false,
      error: { code: 'STS_NOT_TRUSTED', message: 'This role does not trust you.', details: { requestId: 'abc' } },
    });
  });

  it('bridges MFA: the question goes out as an event, answerMfa resolves it', async () => {
    let answer: Promise<string | null> | undefined;
    const request: MfaRequest = { requestId: 'm1', grant: 'hr-upload', grantTitle: 'HR documents' };
    const { transport, sent } = setup({
      sessions: {
        assume: async (_grant: string, o: { mfaPrompt: MfaPrompt }) => {
          answer = o.mfaPrompt(request);
          return { grant: 'hr-upload' };
        },
      },
    });
    await transport.call('session:assume', { grant: 'hr-upload' });
    expect(sent).toContainEqual(['session:mfaRequested', request]);
    await expect(transport.call('session:answerMfa', { requestId: 'm1', code: '123456' })).resolves.toEqual({ ok: true, value: undefined });
    await expect(answer).resolves.toBe('123456');
    await expect(transport.call('session:answerMfa', { requestId: 'm1', code: '123456' })).resolves.toMatchObject({ ok: false, error: { code: 'MFA_REQUEST_UNKNOWN' } });
  });

  it('an unanswered MFA question counts as cancelled', async () => {
    let answer: Promise<string | null> | undefined;
    const { transport } = setup({
      sessions: { assume: async (_g: string, o: { mfaPrompt: MfaPrompt }) => { answer = o.mfaPrompt({ requestId: 'm2', grant: 'g', grantTitle: 'G' }); } },
    });
    await transport.call('session:assume', { grant: 'hr-upload' });
    await expect(answer).resolves.toBeNull();
  });

  it('uploads:pick starts what was picked, and nothing when cancelled', async () => {
    const start = vi.fn(async () => ({ batchId: 'b1' }));
    const { transport, dialogs } = setup({ uploads: { start } });
    await expect(transport.call('uploads:pick', { grant: 'hr-upload', folders: true })).resolves.toEqual({ ok: true, value: { batchId: 'b1' } });
    expect(start).toHaveBeenCalledWith('hr-upload', ['/tmp/a.txt']);
    expect(dialogs.openPaths).toHaveBeenCalledWith({ folders: true });
    dialogs.openPaths.mockResolvedValueOnce([]);
    await expect(transport.call('uploads:pick', { grant: 'hr-upload', folders: false })).resolves.toEqual({ ok: true, value: { batchId: null } });
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('logs:export writes where the save dialog says, and nothing when cancelled', async () => {
    const exportTo = vi.fn(async () => ({ records: 5 }));
    const { transport, dialogs, reg } = setup({ audit: { exportTo } });
    await expect(transport.call('logs:export', { sinceDays: 2, redactFilenames: true })).resolves.toEqual({ ok: true, value: { path: '/tmp/out.jsonl', records: 5 } });
    expect(exportTo).toHaveBeenCalledWith('/tmp/out.jsonl', { sinceMs: Date.UTC(2026, 10, 25, 12), redactFilenames: true });
    expect(dialogs.saveFile).toHaveBeenCalledWith({ title: 'Export session log', defaultName: 'grantbox-session-log-2026-11-27.jsonl' });
    dialogs.saveFile.mockResolvedValueOnce(null);
    await expect(reg.exportLog()).resolves.toEqual({ path: null });
    expect(exportTo).toHaveBeenCalledTimes(1);
  });

  it('uploads:saveReceipts writes the batch’s receipts as JSON and a self-contained HTML page where the save dialog says', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-receipts-ipc-'));
    const receipt = {
      grant: 'hr-upload', bucket: 'company1-hr', key: 'in/a <b>.pdf', file: 'a <b>.pdf', size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      checksum: { algorithm: 'SHA256', type: 'FULL_OBJECT', base64: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=', hex: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
      serverTime: '2026-11-27T11:59:00.000Z', serverTimeFromS3: true, requestIds: ['r1'],
    };
    const items = [
      { id: '1', batchId: 'b1', state: 'done', receipt },
      { id: '2', batchId: 'b1', state: 'failed' },
      { id: '3', batchId: 'b2', state: 'done', receipt: { ...receipt, file: 'other.pdf' } },
    ];
    const { transport, dialogs } = setup({ uploads: { snapshot: () => ({ items, batches: [], bytesTotal: 0, bytesSent: 0, rate: 0 }) } });
    dialogs.saveFile.mockResolvedValueOnce(path.join(dir, 'receipts'));
    await expect(transport.call('uploads:saveReceipts', { batchId: 'b1' })).resolves.toEqual({ ok: true, value: { path: path.join(dir, 'receipts.json'), receipts: 1 } });
    expect(dialogs.saveFile).toHaveBeenCalledWith({ title: 'Save receipts', defaultName: 'grantbox-receipts-2026-11-27.json' });
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'receipts.json'), 'utf8'));
    expect(json).toEqual({ format: 'grantbox-receipts', formatVersion: 1, createdAt: '2026-11-27T12:00:00.000Z', receipts: [receipt] });
    const html = fs.readFileSync(path.join(dir, 'receipts.html'), 'utf8');
    expect(html).toContain('a &lt;b&gt;.pdf');
    expect(html).toContain(receipt.sha256);
    expect(html).not.toMatch(/<script|<link|<img/i);
    expect(fs.statSync(path.join(dir, 'receipts.json')).mode & 0o777).toBe(0o600);
    // Nothing finished in the batch: a plain refusal, no dialog.
    await expect(transport.call('uploads:saveReceipts', { batchId: 'none' })).resolves.toMatchObject({ ok: false, error: { code: 'UPLOAD_NO_RECEIPTS' } });
    // Cancelled dialog: nothing written.
    dialogs.saveFile.mockResolvedValueOnce(null);
    await expect(transport.call('uploads:saveReceipts', { batchId: 'b2' })).resolves.toEqual({ ok: true, value: { path: null } });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('forwards service events to the window', async () => {
    const listeners: Record<string, (x: unknown) => void> = {};
    const capture = (name: string) => (l: (x: unknown) => void) => {
      listeners[name] = l;
      return () => delete listeners[name];
    };
    const { sent, reg } = setup({
      identity: { onChanged: capture('identity'), current: async () => john },
      sessions: { onEvent: capture('session') },
      grants: { onChanged: capture('grants'), forMe: () => [{ name: 'hr-upload' }] },
      uploads: { onProgress: capture('uploads') },
    });
    listeners.identity!(john);
    listeners.session!({ type: 'expiring', minutesLeft: 10 });
    listeners.grants!({ source: 'directory', total: 1 });
    listeners.uploads!({ items: [], batches: [], bytesTotal: 0, bytesSent: 0, rate: 0 });
    await new Promise((r) => setTimeout(r, 0));
    expect(sent.map(([c]) => c).sort()).toEqual(['grants:changed', 'identity:changed', 'session:changed', 'uploads:progress']);
    expect(sent).toContainEqual(['grants:changed', { status: { source: 'directory', total: 1 }, grants: [{ name: 'hr-upload' }] }]);
    reg.dispose();
    expect(Object.keys(listeners)).toEqual([]);
  });
});

describe('reportProgress', () => {
  const batch = (over: Partial<QueueSnapshot['batches'][number]>) => ({
    batchId: 'b1', grant: 'hr-upload', total: 2, done: 0, failed: 0, skipped: 0, cancelled: 0, refused: 0, hiddenSkipped: 0, bytesTotal: 100, bytesSent: 25, finished: false, ...over,
  });
  const snap = (batches: QueueSnapshot['batches']): QueueSnapshot => ({ items: [], batches, bytesTotal: 0, bytesSent: 0, rate: 0 });

  it('sets taskbar progress while running and notifies once per finished batch', () => {
    const shell = { openExternal: vi.fn(), openSignInPage: vi.fn(), copyText: vi.fn(), notify: vi.fn(), setProgress: vi.fn() };
    const announced = new Set<string>();
    reportProgress(snap([batch({})]), announced, shell);
    expect(shell.setProgress).toHaveBeenLastCalledWith(0.25);
    reportProgress(snap([batch({ finished: true, done: 1, failed: 1, bytesSent: 100 })]), announced, shell);
    reportProgress(snap([batch({ finished: true, done: 1, failed: 1, bytesSent: 100 })]), announced, shell);
    expect(shell.setProgress).toHaveBeenLastCalledWith(null);
    expect(shell.notify).toHaveBeenCalledTimes(1);
    expect(shell.notify).toHaveBeenCalledWith('Upload finished with problems', '1 file uploaded, 1 file not uploaded.');
  });
});
