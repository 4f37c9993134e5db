import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../../../../config/schema';
import type { IdentityInfo } from '../../../../preload/contract';
import { GrantStore, subjectMatches, subjectNames, type GrantSetChange } from '../../../../main/services/grants/grant-store';
import type { LogRecord } from '../../../../main/services/audit/types';

const tutorial = path.resolve(__dirname, '../../../../config/grants/hr-upload.yaml');
const john: IdentityInfo = { arn: 'arn:aws:iam::629470240201:user/john', account: '629470240201', userName: 'john', accessKeyIdLast4: 'ABCD', verified: true };
const mary: IdentityInfo = { ...john, arn: 'arn:aws:iam::629470240201:user/mary', userName: 'mary' };

let dir: string;
const settings = (): Settings => ({ apiVersion: 'grantbox.dev/v1', kind: 'Settings', grants: { source: 'directory', path: 'grants' } });

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gb-store-'));
  await mkdir(path.join(dir, 'grants'));
  await writeFile(path.join(dir, 'grants', 'hr.yaml'), await readFile(tutorial, 'utf8'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('GrantStore (directory source)', () => {
  it('loads the folder relative to the settings folder and offers grants to their subjects only', async () => {
    const store = await GrantStore.open(settings(), dir, { live: false });
    expect(store.all().map((g) => g.grant.metadata.name)).toEqual(['hr-upload']);
    expect(store.status()).toMatchObject({ source: 'directory', location: path.join(dir, 'grants'), total: 1 });
    expect(store.status().notice).toBeUndefined();
    const mine = store.forMe(john);
    expect(mine).toEqual([
      expect.objectContaining({ name: 'hr-upload', bucket: 'company1-hr', prefix: '', permissions: ['list', 'read', 'upload'], durationSeconds: 3600, mfa: false, onConflict: 'ask', allowReplace: false, maxFileSizeBytes: 5 * 2 ** 30 }),
    ]);
    expect(store.forMe(mary)).toEqual([]);
  });

  it('resolves for the subject and refuses others with stable codes', async () => {
    const store = await GrantStore.open(settings(), dir, { live: false });
    const r = store.resolvedFor('hr-upload', john);
    expect(r.sessionName).toBe('john-hr-upload');
    expect(r.policySize).toBe(r.policyJson.length);
    expect(() => store.resolvedFor('nope', john)).toThrow(expect.objectContaining({ code: 'GRANT_NOT_FOUND' }));
    expect(() => store.resolvedFor('hr-upload', mary)).toThrow(expect.objectContaining({ code: 'GRANT_NOT_FOR_YOU', details: expect.objectContaining({ contact: 'helpdesk@company1.example' }) }));
  });

  it('company sign-in: user: and group: subjects match the user and groups claims; {user} is the user claim', async () => {
    await writeFile(
      path.join(dir, 'grants', 'finance.yaml'),
      `apiVersion: grantbox.dev/v1
kind: Grant
metadata: {name: finance-drop, title: Finance drop, contact: helpdesk@company1.example}
spec:
  subjects: ["group:hr-staff", "user:Erin@Company1.example"]
  role: {arn: "arn:aws:iam::629470240201:role/FinanceUpload", duration: 1h}
  target: {region: us-east-1, bucket: company1-finance, prefix: "inbox/{user}/"}
  permissions: [upload]
`,
    );
    const store = await GrantStore.open(settings(), dir, { live: false });
    const company = (userName: string, groups: string[]): IdentityInfo => ({ arn: '', account: '', userName, accessKeyIdLast4: '', verified: true, method: 'oidc', provider: 'Company1', groups });
    const johnC = company('john@company1.example', ['hr-staff']);
    expect(store.forMe(johnC).map((g) => g.name)).toEqual(['finance-drop']);
    const r = store.resolvedFor('finance-drop', johnC);
    expect(r.prefix).toBe('inbox/john@company1.example/');
    expect(r.sessionName).toBe('john@company1.example-finance-drop');
    // The role's account stands in for {account}: a company identity has none of its own.
    expect(store.forMe(company('erin@company1.example', []))).toEqual([expect.objectContaining({ name: 'finance-drop' })]);
    const mallory = company('mallory@company1.example', ['contractors']);
    expect(store.forMe(mallory)).toEqual([]);
    expect(() => store.resolvedFor('finance-drop', mallory)).toThrow(
      expect.objectContaining({ code: 'GRANT_NOT_FOR_YOU', details: expect.objectContaining({ hint: expect.stringContaining('user:mallory@company1.example (or one of your groups: group:contractors)') }) }),
    );
    // A user claim with characters that may not reach a policy is refused, not rewritten.
    expect(() => store.resolvedFor('finance-drop', company('John Smith', ['hr-staff']))).toThrow(expect.objectContaining({ code: 'INVALID_USER_NAME' }));
  });

  it('subjectNames: ARNs only for access keys, user:/group: only for company sign-in', () => {
    const keys: IdentityInfo = { arn: 'arn:aws:iam::1:user/john', account: '1', userName: 'john', accessKeyIdLast4: '1234', verified: true };
    expect(subjectNames('arn:aws:iam::1:user/john', keys)).toBe(true);
    expect(subjectNames('user:john', keys)).toBe(false);
    const c: IdentityInfo = { arn: '', account: '', userName: 'john', accessKeyIdLast4: '', verified: true, method: 'oidc', groups: ['hr-staff'] };
    expect(subjectNames('user:JOHN', c)).toBe(true);
    expect(subjectNames('group:hr-staff', c)).toBe(true);
    expect(subjectNames('group:HR-staff', c)).toBe(false);
    expect(subjectNames('arn:aws:iam::1:user/john', c)).toBe(false);
  });

  it('keeps the last valid set when a later read has errors, and says so', async () => {
    const store = await GrantStore.open(settings(), dir, { live: false });
    const seen: unknown[] = [];
    const off = store.onChanged((s) => seen.push(s));
    await writeFile(path.join(dir, 'grants', 'hr.yaml'), 'apiVersion: grantbox.dev/v1\nkind: Grant\nmetadata: {name: x}\n');
    const status = await store.sync();
    expect(store.all().map((g) => g.grant.metadata.name)).toEqual(['hr-upload']);
    expect(status.notice).toMatch(/still using the grants loaded earlier/);
    expect(store.diagnostics().some((d) => d.severity === 'error')).toBe(true);
    expect(seen).toHaveLength(1);
    off();
    await store.sync();
    expect(seen).toHaveLength(1);
  });

  it('on first read offers the valid grants and notes the broken ones', async () => {
    await writeFile(path.join(dir, 'grants', 'broken.yaml'), 'kind: Grant\n');
    const store = await GrantStore.open(settings(), dir, { live: false });
    expect(store.all()).toHaveLength(1);
    expect(store.status().notice).toMatch(/could not be loaded/);
    // A grant inside a broken file is not "renamed or removed": the error says the files have problems.
    expect(() => store.resolvedFor('finance', john)).toThrow(
      expect.objectContaining({ code: 'GRANT_NOT_FOUND', message: 'There is no valid grant called "finance".', details: expect.objectContaining({ hint: expect.stringMatching(/grant files have problems \(\d+\).*grants lint/) }) }),
    );
  });

  it('matches assumed-role sessions to role subjects', () => {
    expect(subjectMatches('arn:aws:iam::123456789012:role/Uploaders', 'arn:aws:sts::123456789012:assumed-role/Uploaders/jane')).toBe(true);
    expect(subjectMatches('arn:aws:iam::123456789012:role/team/Uploaders', 'arn:aws:sts::123456789012:assumed-role/Uploaders/jane')).toBe(true);
    expect(subjectMatches('arn:aws:iam::123456789012:role/Other', 'arn:aws:sts::123456789012:assumed-role/Uploaders/jane')).toBe(false);
    expect(subjectMatches('arn:aws:iam::999999999999:role/Uploaders', 'arn:aws:sts::123456789012:assumed-role/Uploaders/jane')).toBe(false);
    expect(subjectMatches('arn:aws:iam::123456789012:user/john', 'arn:aws:iam::123456789012:user/johnny')).toBe(false);
  });
});

describe('GrantStore hot reload (directory source)', () => {
  const until = async (cond: () => boolean, ms = 4000) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  };

  it.each([false, true])('reloads after a debounced burst of edits, announces added/changed/removed names, keeps the last good set on an invalid edit (poll=%s)', async (poll) => {
    const records: LogRecord[] = [];
    const store = await GrantStore.open(settings(), dir, { log: { append: async (r) => void records.push(r) }, watchOptions: { debounceMs: 100, pollMs: 50, poll } });
    try {
      const changes: GrantSetChange[] = [];
      store.onSetChanged((c) => changes.push(c));
      await new Promise((r) => setTimeout(r, 120));
      const hr = await readFile(tutorial, 'utf8');

      // A burst: a new grant plus an edit, written in several steps → one reload.
      await writeFile(path.join(dir, 'grants', 'finance.yaml'), hr.replace('name: hr-upload', 'name: finance'));
      await writeFile(path.join(dir, 'grants', 'hr.yaml'), hr.replace('duration: 1h', 'duration: 2h'));
      await until(() => changes.length > 0);
      await new Promise((r) => setTimeout(r, 300));
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ added: ['finance'], removed: [], changed: ['hr-upload'], status: { total: 2 } });
      expect(store.resolvedFor('hr-upload', john).durationSeconds).toBe(7200);

      // An invalid edit: nothing switches, the notice says so, the log records it once.
      await writeFile(path.join(dir, 'grants', 'finance.yaml'), hr.replace('name: hr-upload', 'name: finance').replace('duration: 1h', 'duration: 99h'));
      await until(() => store.status().notice !== undefined);
      expect(store.status().notice).toMatch(/still using the grants loaded earlier/);
      expect(store.all().map((g) => g.grant.metadata.name).sort()).toEqual(['finance', 'hr-upload']);
      expect(changes).toHaveLength(1);
      expect(records.filter((r) => r.type === 'grants.rejected')).toHaveLength(1);

      // Removing a grant is announced by name (the app ends its sessions).
      await rm(path.join(dir, 'grants', 'finance.yaml'));
      await until(() => changes.length > 1);
      expect(changes[1]).toMatchObject({ added: [], removed: ['finance'], changed: [] });
      expect(store.status().notice).toBeUndefined();
      expect(() => store.resolvedFor('finance', john)).toThrow(expect.objectContaining({ code: 'GRANT_NOT_FOUND' }));
    } finally {
      store.close();
    }
  });

  it('keeps the set when the folder is emptied, and does not watch with live: false', async () => {
    const store = await GrantStore.open(settings(), dir, { live: false });
    await rm(path.join(dir, 'grants', 'hr.yaml'));
    await new Promise((r) => setTimeout(r, 400));
    expect(store.status().notice).toBeUndefined(); // not watching: nothing re-read yet
    const status = await store.sync();
    expect(status.notice).toMatch(/no grants now; still using/);
    expect(store.all()).toHaveLength(1);
    store.close();
  });
});
