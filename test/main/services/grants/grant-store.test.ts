import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../../../../config/schema';
import type { IdentityInfo } from '../../../../preload/contract';
import { GrantStore, subjectMatches } from '../../../../main/services/grants/grant-store';

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
    const store = await GrantStore.open(settings(), dir);
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
    const store = await GrantStore.open(settings(), dir);
    const r = store.resolvedFor('hr-upload', john);
    expect(r.sessionName).toBe('john-hr-upload');
    expect(r.policySize).toBe(r.policyJson.length);
    expect(() => store.resolvedFor('nope', john)).toThrow(expect.objectContaining({ code: 'GRANT_NOT_FOUND' }));
    expect(() => store.resolvedFor('hr-upload', mary)).toThrow(expect.objectContaining({ code: 'GRANT_NOT_FOR_YOU', details: expect.objectContaining({ contact: 'helpdesk@company1.example' }) }));
  });

  it('keeps the last valid set when a later read has errors, and says so', async () => {
    const store = await GrantStore.open(settings(), dir);
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
    const store = await GrantStore.open(settings(), dir);
    expect(store.all()).toHaveLength(1);
    expect(store.status().notice).toMatch(/could not be loaded/);
  });

  it('matches assumed-role sessions to role subjects', () => {
    expect(subjectMatches('arn:aws:iam::123456789012:role/Uploaders', 'arn:aws:sts::123456789012:assumed-role/Uploaders/jane')).toBe(true);
    expect(subjectMatches('arn:aws:iam::123456789012:role/team/Uploaders', 'arn:aws:sts::123456789012:assumed-role/Uploaders/jane')).toBe(true);
    expect(subjectMatches('arn:aws:iam::123456789012:role/Other', 'arn:aws:sts::123456789012:assumed-role/Uploaders/jane')).toBe(false);
    expect(subjectMatches('arn:aws:iam::999999999999:role/Uploaders', 'arn:aws:sts::123456789012:assumed-role/Uploaders/jane')).toBe(false);
    expect(subjectMatches('arn:aws:iam::123456789012:user/john', 'arn:aws:iam::123456789012:user/johnny')).toBe(false);
  });
});
