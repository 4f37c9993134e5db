// `grantbox setup LINK`: the summary (grants host, sign-in host, region), y/N from piped stdin, --yes, the atomic
// write into the data folder (GRANTBOX_HOME moves it) — and every refusal exits non-zero and writes nothing: not
// https, tampered base64, failing validation, forbidden or already set by IT's managed settings, answered no.
// URL links are fetched from a real local https server (throwaway CA, trusted through AWS_CA_BUNDLE) and a plain
// loopback http one.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeSetupLink, parseSetupLink } from '../../../../main/services/settings';
import { runCli } from '../../../helpers/run-cli';
import { startTlsFront, type TlsFront } from '../../../helpers/tls-front';

const SETTINGS = [
  '# Company 1 desktop settings',
  'apiVersion: grantbox.dev/v1',
  'kind: Settings',
  'grants:',
  '  source: git',
  '  url: https://git.company1.example/it/grants.git',
  'signIn:',
  '  method: oidc',
  '  issuer: https://login.company1.example/realms/staff',
  '  clientId: grantbox',
  'aws:',
  '  region: eu-west-1',
  '',
].join('\n');

let dir: string;
let home: string;
let server: http.Server;
let httpBase: string;
let front: TlsFront;
let served: Record<string, string> = {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = served[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/yaml' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  httpBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front = await startTlsFront(httpBase, { names: ['127.0.0.1'] });
});
afterAll(async () => {
  await front.close();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-setup-'));
  home = path.join(dir, 'home');
  vi.stubEnv('GRANTBOX_HOME', home);
  vi.stubEnv('GRANTBOX_MANAGED_SETTINGS', '');
  vi.stubEnv('AWS_CA_BUNDLE', front.caFile);
  vi.stubEnv('NODE_EXTRA_CA_CERTS', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

const written = () => path.join(home, 'settings.yaml');
const managed = (lines: string[]) => {
  const file = path.join(dir, 'managed.yaml');
  fs.writeFileSync(file, ['apiVersion: grantbox.dev/v1', 'kind: Settings', ...lines, ''].join('\n'));
  vi.stubEnv('GRANTBOX_MANAGED_SETTINGS', file);
  return file;
};

describe('grantbox setup', () => {
  it('an inline link: shows hosts and region, asks, and on "y" writes settings.yaml in the data folder as IT wrote it', async () => {
    const link = makeSetupLink(SETTINGS);
    const r = await runCli(['setup', link], { stdin: 'y\n' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Grants repository:  git.company1.example');
    expect(r.out).toContain('Sign-in provider:   login.company1.example');
    expect(r.out).toContain('AWS region:         eu-west-1');
    expect(r.out).toContain(`Will write:         ${written()}`);
    expect(r.err).toContain('Apply these settings? [y/N] y');
    const text = fs.readFileSync(written(), 'utf8');
    expect(text).toContain(SETTINGS);
    expect(text.split('\n')[0]).toMatch(/^# Written by Grantbox from a setup link \(the link itself\)/);
    expect(fs.statSync(written()).mode & 0o777).toBe(0o600);
    // The folder holds no leftover temporary file.
    expect(fs.readdirSync(home)).toEqual(['settings.yaml']);
  });

  it('a URL link over https (through the same CA rules), with --yes for scripts', async () => {
    served = { '/grantbox/settings.yaml': SETTINGS };
    const r = await runCli(['setup', `grantbox://setup?url=${encodeURIComponent(`${front.url}/grantbox/settings.yaml`)}`, '--yes']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Settings from:      ${front.url}/grantbox/settings.yaml`);
    expect(fs.readFileSync(written(), 'utf8')).toContain('issuer: https://login.company1.example/realms/staff');
  });

  it('answering no (or nothing) writes nothing and exits 1', async () => {
    const link = makeSetupLink(SETTINGS);
    for (const answer of ['n\n', '']) {
      const r = await runCli(['setup', link], { stdin: answer });
      expect(r.code).toBe(1);
      expect(r.err).toContain('SETUP_DECLINED');
      expect(fs.existsSync(written())).toBe(false);
    }
  });

  it('refusals exit non-zero and write nothing: not https, tampered base64, failing validation', async () => {
    const notHttps = await runCli(['setup', 'grantbox://setup?url=http%3A%2F%2Fsettings.company1.example%2Fs.yaml', '--yes']);
    expect(notHttps.code).toBe(1);
    expect(notHttps.err).toMatch(/SETUP_LINK_NOT_HTTPS .*settings\.company1\.example/);

    const good = makeSetupLink(SETTINGS);
    // A character outside base64url; a changed character where the "a" of "apiVersion" is encoded (byte 29, after
    // the comment line: base64 index 39 after "settings="); the link cut short inside "region".
    const at = 'grantbox://setup?settings='.length + 39;
    const flipped = good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1);
    const tampered = [good.replace(/settings=(.)/, 'settings=$1%'), flipped, good.slice(0, -24)];
    for (const link of tampered) {
      const r = await runCli(['setup', link, '--yes']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/SETUP_LINK_INVALID/);
    }

    const invalid = makeSetupLink(SETTINGS.replace('region: eu-west-1', 'region: Europe West').replace('source: git', 'source: svn'));
    const r = await runCli(['setup', invalid, '--yes']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('SETUP_LINK_INVALID');
    // The diagnostics say where, as for any settings file.
    expect(r.err).toMatch(/setup link:5:11: error /);
    expect(r.err).toMatch(/setup link:12:11: error /);
    expect(r.err).toContain('have 2 problems; nothing was changed');
    expect(fs.existsSync(written())).toBe(false);
  });

  it('refused by managed settings: setupLinks: false, or the link sets a section IT already sets', async () => {
    const link = makeSetupLink(SETTINGS);
    const file = managed(['setupLinks: false']);
    const forbidden = await runCli(['setup', link, '--yes']);
    expect(forbidden.code).toBe(1);
    expect(forbidden.err).toContain('SETUP_LINK_FORBIDDEN');
    expect(forbidden.err).toContain(file);

    managed(['aws:', '  region: us-west-2', 'signIn:', '  method: accessKey']);
    const clash = await runCli(['setup', link, '--yes']);
    expect(clash.code).toBe(1);
    expect(clash.err).toMatch(/SETUP_LINK_CONFLICT .*: aws, signIn\./);
    expect(fs.existsSync(written())).toBe(false);
  });

  it('a settings file that is not there: SETUP_LINK_FETCH_FAILED, nothing written', async () => {
    const r = await runCli(['setup', `grantbox://setup?url=${encodeURIComponent(`${httpBase}/missing.yaml`)}`, '--yes']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/SETUP_LINK_FETCH_FAILED .*HTTP 404/);
    expect(fs.existsSync(written())).toBe(false);
  });

  it('--make-link turns a settings file into the inline link IT sends', async () => {
    const file = path.join(dir, 's.yaml');
    fs.writeFileSync(file, SETTINGS);
    const r = await runCli(['setup', '--make-link', file]);
    expect(r.code).toBe(0);
    expect(parseSetupLink(r.out.trim())).toEqual({ kind: 'inline', text: SETTINGS });
  });
});
