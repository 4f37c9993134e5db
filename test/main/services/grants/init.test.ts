// The admin kit scaffold: the files a new grants repository starts with, valid as shipped, never overwriting.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadGrants } from '../../../../config/loader';
import { EXAMPLE_GRANT, initGrantsRepo } from '../../../../main/services/grants/init';
import { runCli } from '../../../helpers/run-cli';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-init-'));
});

describe('initGrantsRepo', () => {
  it('writes README, the example grant with its schema reference, the schema, its IAM kit and the CI workflow', async () => {
    const written = await initGrantsRepo(path.join(dir, 'repo'));
    expect(written.sort()).toEqual(['.github/workflows/lint-grants.yml', 'README.md', 'grants/hr-upload.yaml', 'iam/hr-upload.json', 'schema/grant.schema.json']);
    const grant = await fs.readFile(path.join(dir, 'repo', 'grants', 'hr-upload.yaml'), 'utf8');
    expect(grant.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/grant.schema.json');
    // The schema reference resolves to the schema written next to it, and that is the project's generated schema.
    const schema = await fs.readFile(path.join(dir, 'repo', 'schema', 'grant.schema.json'), 'utf8');
    expect(schema).toBe(await fs.readFile(path.resolve(__dirname, '../../../../config/schema/grant.schema.json'), 'utf8'));
    const workflow = parse(await fs.readFile(path.join(dir, 'repo', '.github', 'workflows', 'lint-grants.yml'), 'utf8'));
    const runs = workflow.jobs.lint.steps.map((s: { run?: string }) => s.run).filter(Boolean);
    expect(runs).toContain('grantbox grants lint --format github grants');
    expect(runs.some((r: string) => r.startsWith('grantbox grants diff .base/grants grants --format markdown'))).toBe(true);
    expect(runs.some((r: string) => r.includes('grantbox grants iam "$(basename "$f" .json)" --path grants --format json | diff -u "$f" -'))).toBe(true);
    // The CLI comes from one pinned, checksummed file, not from an npm registry.
    expect(runs.join('\n')).not.toContain('npx');
    expect(runs.some((r: string) => r.includes('sha256sum -c -'))).toBe(true);
  });

  it('pins the CLI artifact it is given, and refuses an http address or a malformed checksum', async () => {
    const cli = { url: 'https://downloads.company1.example/grantbox/0.1.0/grantbox-standalone.cjs', sha256: 'a'.repeat(64) };
    await initGrantsRepo(path.join(dir, 'pinned'), cli);
    const workflow = parse(await fs.readFile(path.join(dir, 'pinned', '.github', 'workflows', 'lint-grants.yml'), 'utf8'));
    expect(workflow.env).toEqual({ GRANTBOX_CLI_URL: cli.url, GRANTBOX_CLI_SHA256: cli.sha256 });
    await expect(initGrantsRepo(path.join(dir, 'bad1'), { ...cli, url: 'http://x.example/g.cjs' })).rejects.toMatchObject({ code: 'INIT_CLI_ARTIFACT_INVALID' });
    await expect(initGrantsRepo(path.join(dir, 'bad2'), { ...cli, sha256: 'nope' })).rejects.toMatchObject({ code: 'INIT_CLI_ARTIFACT_INVALID' });
  });

  it('the kit next to the grants is what `grantbox grants iam hr-upload --format json` prints for them', async () => {
    await initGrantsRepo(path.join(dir, 'repo'));
    const scaffolded = await fs.readFile(path.join(dir, 'repo', 'iam', 'hr-upload.json'), 'utf8');
    const r = await runCli(['grants', 'iam', 'hr-upload', '--path', path.join(dir, 'repo', 'grants'), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(scaffolded).toBe(r.out);
    expect(Object.keys(JSON.parse(scaffolded) as object)).toEqual(['role', 'trustPolicy', 'permissionPolicy', 'notes']);
  });

  it('ships the tutorial grant unchanged and valid', async () => {
    const ours = loadGrants([{ path: 'grants/hr-upload.yaml', text: EXAMPLE_GRANT }]);
    expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const tutorial = path.resolve(__dirname, '../../../../config/grants/hr-upload.yaml');
    const theirs = loadGrants([{ path: tutorial, text: await fs.readFile(tutorial, 'utf8') }]);
    expect(ours.grants.map((g) => g.grant)).toEqual(theirs.grants.map((g) => g.grant));
  });

  it('refuses to overwrite and writes nothing when any file exists', async () => {
    await fs.writeFile(path.join(dir, 'README.md'), 'mine');
    await expect(initGrantsRepo(dir)).rejects.toMatchObject({ code: 'INIT_WOULD_OVERWRITE', details: { existing: ['README.md'] } });
    expect(await fs.readFile(path.join(dir, 'README.md'), 'utf8')).toBe('mine');
    await expect(fs.stat(path.join(dir, 'grants'))).rejects.toThrow();
  });
});
