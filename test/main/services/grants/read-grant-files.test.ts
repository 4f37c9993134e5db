import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MAX_FILE_BYTES, MAX_FILES, readGrantFiles } from '../../../../main/services/grants/read-grant-files';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gb-read-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const rel = (files: { path: string }[]) => files.map((f) => path.relative(dir, f.path));

describe('readGrantFiles', () => {
  it('reads *.yaml and *.yml recursively, sorted, skipping hidden folders/files and other extensions', async () => {
    await mkdir(path.join(dir, 'b', 'deep'), { recursive: true });
    await mkdir(path.join(dir, '.git'));
    await writeFile(path.join(dir, 'z.yaml'), 'z');
    await writeFile(path.join(dir, 'a.yml'), 'a');
    await writeFile(path.join(dir, 'b', 'deep', 'c.YAML'), 'c');
    await writeFile(path.join(dir, 'b', 'readme.md'), 'no');
    await writeFile(path.join(dir, '.git', 'x.yaml'), 'no');
    await writeFile(path.join(dir, '.hidden.yaml'), 'no');
    const files = await readGrantFiles([dir]);
    expect(rel(files)).toEqual(['a.yml', 'b/deep/c.YAML', 'z.yaml']);
    expect(files.map((f) => f.text)).toEqual(['a', 'c', 'z']);
    expect(files.every((f) => f.problem === undefined)).toBe(true);
  });

  it('accepts files and folders together without duplicates', async () => {
    await writeFile(path.join(dir, 'a.yaml'), 'a');
    const files = await readGrantFiles([path.join(dir, 'a.yaml'), dir]);
    expect(rel(files)).toEqual(['a.yaml']);
  });

  it('a file over 1 MiB becomes a FILE_TOO_LARGE diagnostic, the rest are still read', async () => {
    await writeFile(path.join(dir, 'big.yaml'), Buffer.alloc(MAX_FILE_BYTES + 1, 0x61));
    await writeFile(path.join(dir, 'ok.yaml'), 'ok');
    const files = await readGrantFiles([dir]);
    expect(files.map((f) => [path.basename(f.path), f.problem?.code ?? null, f.text.length])).toEqual([
      ['big.yaml', 'FILE_TOO_LARGE', 0],
      ['ok.yaml', null, 2],
    ]);
  });

  it('more than the limit (10,000 by default) is refused with one TOO_MANY_FILES diagnostic', async () => {
    expect(MAX_FILES).toBe(10_000);
    const many = path.join(dir, 'many');
    await mkdir(many);
    await Promise.all(Array.from({ length: 21 }, (_, i) => writeFile(path.join(many, `g${i}.yaml`), '')));
    expect(await readGrantFiles([many], { maxFiles: 21 })).toHaveLength(21);
    const files = await readGrantFiles([many], { maxFiles: 20 });
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ path: many, problem: { code: 'TOO_MANY_FILES', severity: 'error', line: 1, col: 1 } });
  });

  it('a missing path is the caller\'s mistake: GRANTS_PATH_UNREADABLE', async () => {
    await expect(readGrantFiles([path.join(dir, 'nope')])).rejects.toMatchObject({ code: 'GRANTS_PATH_UNREADABLE' });
  });

  it('an unreadable file inside a folder is a diagnostic, not a crash', async () => {
    if (process.getuid?.() === 0) {
      // root reads everything; a dangling symlink gives the same "cannot read" path.
      await symlink(path.join(dir, 'missing-target.yaml'), path.join(dir, 'dangling.yaml'));
    } else {
      await writeFile(path.join(dir, 'dangling.yaml'), 'x');
      await chmod(path.join(dir, 'dangling.yaml'), 0o000);
    }
    const files = await readGrantFiles([dir]);
    expect(files.map((f) => f.problem?.code)).toEqual(['UNREADABLE_FILE']);
  });

  it('refuses a link pointing outside the grants folder without reading or naming its target; links inside work', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'gb-outside-'));
    try {
      const secret = path.join(outside, 'credentials');
      await writeFile(secret, '[default]\naws_access_key_id = AKIAOUTSIDE\naws_secret_access_key: s3cr3t-outside\n');
      await mkdir(path.join(dir, 'grants'));
      await writeFile(path.join(dir, 'grants', 'real.yaml'), 'real: 1\n');
      await symlink(secret, path.join(dir, 'grants', 'creds.yaml'));
      await symlink(path.join(dir, 'grants', 'real.yaml'), path.join(dir, 'grants', 'inside.yaml'));
      await symlink('../grants/real.yaml', path.join(dir, 'grants', 'relative.yaml'));
      const files = await readGrantFiles([path.join(dir, 'grants')]);
      expect(files.map((f) => [path.basename(f.path), f.problem?.code ?? null, f.text])).toEqual([
        ['creds.yaml', 'LINK_OUTSIDE', ''],
        ['inside.yaml', null, 'real: 1\n'],
        ['real.yaml', null, 'real: 1\n'],
        ['relative.yaml', null, 'real: 1\n'],
      ]);
      const said = JSON.stringify(files);
      expect(said).not.toContain('AKIAOUTSIDE');
      expect(said).not.toContain('aws_secret_access_key');
      expect(said).not.toContain(outside);
      // A file the person names themselves is theirs to point at.
      expect((await readGrantFiles([path.join(dir, 'grants', 'creds.yaml')]))[0]!.text).toContain('AKIAOUTSIDE');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
