import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadSettingsFile } from '../../../../main/services/settings';
import type { AppError } from '../../../../main/services/errors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gb-settings-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected a rejection');
}

describe('loadSettingsFile', () => {
  it('loads the example settings and resolves the grants path against the settings folder', async () => {
    const example = path.resolve(__dirname, '../../../../config/settings.example.yaml');
    const r = await loadSettingsFile(example);
    expect(r.path).toBe(example);
    expect(r.dir).toBe(path.dirname(example));
    expect(r.settings.grants).toEqual({ source: 'directory', path: path.resolve(__dirname, '../../../../config/grants') });
    expect(r.settings.aws).toEqual({ region: 'us-east-1', endpoint: 'http://127.0.0.1:5000', forcePathStyle: true });
  });

  it('keeps absolute grant paths and leaves a git source path (inside the repository) alone', async () => {
    const abs = path.join(dir, 'elsewhere');
    await writeFile(path.join(dir, 's.yaml'), `apiVersion: grantbox.dev/v1\nkind: Settings\ngrants: {source: directory, path: ${abs}}\n`);
    expect((await loadSettingsFile(path.join(dir, 's.yaml'))).settings.grants).toEqual({ source: 'directory', path: abs });
    await writeFile(path.join(dir, 'g.yaml'), 'apiVersion: grantbox.dev/v1\nkind: Settings\ngrants: {source: git, url: "https://git.example/grants.git", path: grants}\n');
    expect((await loadSettingsFile(path.join(dir, 'g.yaml'))).settings.grants).toMatchObject({ source: 'git', path: 'grants' });
  });

  it('SETTINGS_MISSING explains how to create one', async () => {
    const e = await caught(loadSettingsFile(path.join(dir, 'nope.yaml')));
    expect(e.code).toBe('SETTINGS_MISSING');
    expect(e.message).toContain(path.join(dir, 'nope.yaml'));
    expect(e.details.hint).toMatch(/settings\.example\.yaml/);
    expect(e.details.hint).toMatch(/grantbox sandbox/);
    expect(e.details.hint).toMatch(/docs\/admins\.md/);
    await mkdir(path.join(dir, 'folder.yaml'));
    expect((await caught(loadSettingsFile(path.join(dir, 'folder.yaml')))).code).toBe('SETTINGS_MISSING');
  });

  it('SETTINGS_INVALID carries the diagnostics with file:line:col', async () => {
    const file = path.join(dir, 's.yaml');
    await writeFile(file, 'apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: directory\n  paht: ./grants\n');
    const e = await caught(loadSettingsFile(file));
    expect(e.code).toBe('SETTINGS_INVALID');
    expect(e.message).toMatch(/2 problems/);
    const diagnostics = e.details.diagnostics as { line: number; col: number; code: string }[];
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual(['3:1 MISSING_FIELD', '5:3 UNKNOWN_KEY']);
    expect(e.details.hint).toContain(`${file}:5:3: error UNKNOWN_KEY unknown key "paht" in grants (did you mean "path"?)`);
  });

  it('refuses a huge file without reading it', async () => {
    const file = path.join(dir, 'big.yaml');
    await writeFile(file, Buffer.alloc(1024 * 1024 + 1, 0x20));
    expect((await caught(loadSettingsFile(file))).code).toBe('SETTINGS_INVALID');
  });
});
