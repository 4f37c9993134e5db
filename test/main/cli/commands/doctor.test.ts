// `grantbox doctor`: one line per check, clock skew measured from the endpoint's Date header, exit 1 when anything
// fails — against loopback servers (a wrong clock, a closed port), in process.
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../helpers/run-cli';
import { freePort } from '../../../../main/services/sandbox/moto';
import { startTlsFront } from '../../../helpers/tls-front';

const GRANTS = path.resolve(__dirname, '../../../../config/grants');

const run = (...args: string[]) => runCli(args);

let dir: string;
let server: http.Server;
let offsetMs = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(404, { date: new Date(Date.now() + offsetMs).toUTCString() });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-doctor-'));
  vi.stubEnv('GRANTBOX_HOME', path.join(dir, 'home'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await fs.rm(dir, { recursive: true, force: true });
});

async function settings(endpoint: string): Promise<string> {
  const file = path.join(dir, 'settings.yaml');
  await fs.writeFile(file, `apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: directory\n  path: ${JSON.stringify(GRANTS)}\naws:\n  region: us-east-1\n  endpoint: ${endpoint}\n`);
  return file;
}

describe('grantbox doctor', () => {
  it('says when grants come over plain http (allowed only with signedBy)', async () => {
    const port = await freePort();
    const file = path.join(dir, 'settings.yaml');
    await fs.writeFile(path.join(dir, 'admin.asc'), 'not checked before a fetch\n');
    // "vm" is this machine by /etc/hosts but not a loopback name Grantbox knows, so it counts as a network host.
    await fs.writeFile(file, `apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: git\n  url: http://vm:${port}/grants.git\n  signedBy: [admin.asc]\n  intervalMinutes: 0\naws:\n  region: us-east-1\n  endpoint: http://127.0.0.1:${port}\n`);
    const { out } = await run('--settings', file, 'doctor');
    expect(out).toMatch(/^FAIL Grants: .* — warning: grants come over plain http \(signed commits are checked, but updates can be held back\)$/m);
  });

  it('reports the endpoint, a correct clock and the grants, one line each', async () => {
    offsetMs = 0;
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { out } = await run('--settings', await settings(endpoint), 'doctor');
    expect(out).toMatch(/^OK {3}Settings:/m);
    expect(out).toMatch(new RegExp(`^OK {3}Endpoint: +${endpoint.replace(/[.:/]/g, '\\$&')} answers \\(HTTP 404`, 'm'));
    expect(out).toMatch(/^OK {3}Clock: +within \d+ s of the endpoint's clock/m);
    expect(out).toMatch(/^OK {3}Grants: +1 grant from /m);
    expect(out).toMatch(/^(OK {3}|FAIL )Keychain:/m);
  });

  it('a clock 10 minutes off fails with what to do, exit 1', async () => {
    offsetMs = -10 * 60_000;
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { code, out } = await run('--settings', await settings(endpoint), 'doctor');
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL Clock: +your clock is 10 min ahead; AWS refuses requests more than 5 min off\n +→ Set the date and time to update automatically/m);
  });

  it('an endpoint that is down and missing settings are failures with fixes', async () => {
    const port = await freePort();
    const down = await run('--settings', await settings(`http://127.0.0.1:${port}`), 'doctor');
    expect(down.code).toBe(1);
    expect(down.out).toMatch(new RegExp(`^FAIL Endpoint: +The service \\(127\\.0\\.0\\.1:${port}\\) is not answering\\.`, 'm'));
    const missing = await run('--settings', path.join(dir, 'nope.yaml'), 'doctor');
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/^FAIL Settings: +Grantbox has no settings file/m);
    // The endpoint is unknown without settings: not a second failure about the network.
    expect(missing.out).toMatch(/^-- +Endpoint: +not checked/m);
    expect(missing.out).not.toMatch(/amazonaws\.com|network/);
  });

  it('says which values IT set (with the file), and checks the endpoint with the same proxy and CA rules', async () => {
    offsetMs = 0;
    const front = await startTlsFront(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const managed = path.join(dir, 'managed.yaml');
      await fs.writeFile(managed, `apiVersion: grantbox.dev/v1\nkind: Settings\naws:\n  region: us-east-1\n  endpoint: ${front.url}\nsetupLinks: false\n`);
      vi.stubEnv('GRANTBOX_MANAGED_SETTINGS', managed);
      const file = await settings('http://127.0.0.1:9');
      const untrusted = await run('--settings', file, 'doctor');
      expect(untrusted.code).toBe(1);
      expect(untrusted.out).toContain(`aws.endpoint: ${front.url} — set by your IT team (${managed})`);
      expect(untrusted.out).toContain(`setup links: refused — set by your IT team (${managed})`);
      expect(untrusted.out).toMatch(/^OK {3}Network: +no proxy/m);
      expect(untrusted.out).toMatch(new RegExp(`^FAIL Endpoint: +Grantbox does not trust the security certificate presented for 127\\.0\\.0\\.1:${front.port}, issued by “${front.caName}, Acme Corp”`, 'm'));

      await fs.appendFile(managed, `network:\n  caBundle: ${JSON.stringify(front.caFile)}\n`);
      const trusted = await run('--settings', file, 'doctor');
      expect(trusted.out).toMatch(new RegExp(`^OK {3}Network: +no proxy; also trusts .*O=Acme Corp, CN=${front.caName} \\(network\\.caBundle\\)`, 'm'));
      expect(trusted.out).toMatch(/^OK {3}Endpoint: +https:\/\/127\.0\.0\.1:\d+ answers \(HTTP 404/m);
    } finally {
      await front.close();
    }
  });
});
