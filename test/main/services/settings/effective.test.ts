// Managed (IT) settings over personal ones: precedence, locking, allowUserSettings, where each value came from,
// and the diagnostics when IT's file is wrong. Real files in a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeSettings, formatProvenance, loadEffectiveSettings, managedSettingsPath } from '../../../../main/services/settings';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-managed-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, lines: string[]): string => {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
};
const header = ['apiVersion: grantbox.dev/v1', 'kind: Settings'];
const personal = () =>
  write('home/settings.yaml', [...header, 'grants:', '  source: directory', '  path: my-grants', 'aws:', '  region: eu-west-1', '  endpoint: http://127.0.0.1:5000', 'uploads:', '  concurrency: 2']);

async function caught(p: Promise<unknown>): Promise<{ code: string; message: string; details: { hint?: string; diagnostics?: Array<{ line: number; col: number; file: string }> } }> {
  try {
    await p;
  } catch (e) {
    return e as never;
  }
  throw new Error('expected a rejection');
}

describe('managed settings', () => {
  it('without a managed file the person’s settings are used and marked as theirs', async () => {
    const file = personal();
    const r = await loadEffectiveSettings({ flag: file, env: { GRANTBOX_MANAGED_SETTINGS: '' }, platform: 'linux' });
    expect(r.managed).toBeNull();
    expect(r.settings.aws).toEqual({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000' });
    expect(r.origins.aws).toEqual({ kind: 'personal', file });
    expect(r.origins.network).toEqual({ kind: 'default' });
  });

  it('each section IT sets replaces the person’s section whole and is locked; the rest stays the person’s', async () => {
    const file = personal();
    const managed = write('it/settings.yaml', [...header, 'aws:', '  region: us-west-2', 'network:', '  proxy: http://proxy.corp:8080']);
    const r = await loadEffectiveSettings({ flag: file, env: { GRANTBOX_MANAGED_SETTINGS: managed } });
    // No endpoint: IT's aws section replaced the person's whole, it was not merged key by key.
    expect(r.settings.aws).toEqual({ region: 'us-west-2' });
    expect(r.settings.network).toEqual({ proxy: 'http://proxy.corp:8080' });
    expect(r.settings.uploads).toEqual({ concurrency: 2 });
    expect(r.settings.grants).toEqual({ source: 'directory', path: path.join(dir, 'home', 'my-grants') });
    expect(r.managed).toEqual({ path: managed, locked: ['aws', 'network'], setupLinks: true, allowUserSettings: true });
    const described = describeSettings(r);
    expect(described.find((v) => v.key === 'aws.region')).toEqual({ key: 'aws.region', value: 'us-west-2', origin: 'managed', file: managed, locked: true });
    expect(described.find((v) => v.key === 'uploads.concurrency')).toEqual({ key: 'uploads.concurrency', value: '2', origin: 'personal', file, locked: false });
    expect(formatProvenance(r)).toContain(`aws.region: us-west-2 — set by your IT team (${managed})`);
  });

  it('GRANTBOX_SETTINGS and --settings cannot override a locked section either', async () => {
    const other = write('elsewhere/mine.yaml', [...header, 'grants:', '  source: directory', '  path: g', 'aws:', '  region: ap-south-1']);
    const managed = write('it/settings.yaml', [...header, 'aws:', '  region: us-west-2']);
    const viaEnv = await loadEffectiveSettings({ env: { GRANTBOX_SETTINGS: other, GRANTBOX_MANAGED_SETTINGS: managed } });
    const viaFlag = await loadEffectiveSettings({ flag: other, env: { GRANTBOX_MANAGED_SETTINGS: managed } });
    expect(viaEnv.settings.aws?.region).toBe('us-west-2');
    expect(viaFlag.settings.aws?.region).toBe('us-west-2');
  });

  it('IT can set everything: no personal file is needed; relative paths resolve against IT’s file', async () => {
    const managed = write('it/settings.yaml', [...header, 'grants:', '  source: directory', '  path: grants', 'network:', '  caBundle: corp-ca.pem', 'setupLinks: false']);
    const r = await loadEffectiveSettings({ env: { GRANTBOX_HOME: path.join(dir, 'nohome'), GRANTBOX_MANAGED_SETTINGS: managed } });
    expect(r.personalUsed).toBe(false);
    expect(r.settings.grants).toEqual({ source: 'directory', path: path.join(dir, 'it', 'grants') });
    expect(r.settings.network?.caBundle).toBe(path.join(dir, 'it', 'corp-ca.pem'));
    expect(r.managed?.setupLinks).toBe(false);
    expect(r.dir).toBe(path.join(dir, 'it'));
    expect(formatProvenance(r)).toContain(`setup links: refused — set by your IT team (${managed})`);
  });

  it('a problem in a section IT replaces does not stop the person; allowUserSettings: false ignores their file entirely', async () => {
    const broken = write('home/settings.yaml', [...header, 'grants:', '  source: directory', '  path: g', 'aws:', '  region: not a region!']);
    const managedAws = write('it/aws.yaml', [...header, 'aws:', '  region: us-west-2']);
    expect((await loadEffectiveSettings({ flag: broken, env: { GRANTBOX_MANAGED_SETTINGS: managedAws } })).settings.aws?.region).toBe('us-west-2');

    const managedAll = write('it/all.yaml', [...header, 'allowUserSettings: false', 'grants:', '  source: directory', '  path: it-grants']);
    const r = await loadEffectiveSettings({ flag: personal(), env: { GRANTBOX_MANAGED_SETTINGS: managedAll } });
    expect(r.personalUsed).toBe(false);
    expect(r.settings.aws).toBeUndefined();
    expect(r.settings.uploads).toBeUndefined();
    expect(formatProvenance(r)).toContain(`personal settings: ignored — set by your IT team (${managedAll})`);
  });

  it('IT’s file with a mistake: MANAGED_SETTINGS_INVALID with file:line:col diagnostics', async () => {
    const managed = write('it/settings.yaml', [...header, 'aws:', '  region: us-west-2', '  regoin: typo', 'setupLinks: maybe']);
    const e = await caught(loadEffectiveSettings({ flag: personal(), env: { GRANTBOX_MANAGED_SETTINGS: managed } }));
    expect(e.code).toBe('MANAGED_SETTINGS_INVALID');
    expect(e.message).toContain('your IT team');
    const places = e.details.diagnostics!.filter((d) => d.file === managed).map((d) => `${d.line}:${d.col}`);
    expect(places).toEqual(['5:3', '6:13']);
    expect(e.details.hint).toContain(`${managed}:5:3:`);
  });

  it('a named managed file that does not exist is an error; the per-OS one is optional', async () => {
    const e = await caught(loadEffectiveSettings({ flag: personal(), env: { GRANTBOX_MANAGED_SETTINGS: path.join(dir, 'none.yaml') } }));
    expect(e.code).toBe('MANAGED_SETTINGS_MISSING');
    expect(managedSettingsPath({}, 'linux').path).toBe('/etc/grantbox/settings.yaml');
    expect(managedSettingsPath({}, 'darwin').path).toBe('/Library/Application Support/Grantbox/settings.yaml');
    expect(managedSettingsPath({ ProgramData: 'C:\\ProgramData' }, 'win32').path).toBe('C:\\ProgramData\\Grantbox\\settings.yaml');
    expect(managedSettingsPath({ GRANTBOX_MANAGED_SETTINGS: '/x/y.yaml' }, 'win32')).toEqual({ path: '/x/y.yaml', fromEnv: true });
  });

  it('with neither file naming a grants source, the person’s missing file is what to fix', async () => {
    const managed = write('it/settings.yaml', [...header, 'aws:', '  region: us-west-2']);
    const e = await caught(loadEffectiveSettings({ env: { GRANTBOX_HOME: path.join(dir, 'nohome'), GRANTBOX_MANAGED_SETTINGS: managed } }));
    expect(e.code).toBe('SETTINGS_MISSING');
    expect(e.details.hint).toContain('setup link');
  });
});
