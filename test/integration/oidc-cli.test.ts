// `grantbox login` / `login --device` / `whoami` / `logout` with company sign-in, against the real local OpenID
// Provider, the real keychain and moto (auth off for AssumeRoleWithWebIdentity), with Chromium as the browser.
// The CLI runs in-process through the same program the bundle runs; its data folder is a temporary GRANTBOX_HOME.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildProgram, runProgram } from '../../main/cli/program';
import { createServices } from '../../main/services/container';
import { startOidcProvider, type OidcProviderRig } from '../../main/services/sandbox/oidc-provider';
import { launchChromium } from '../helpers/e2e-harness';
import { approveDevice, settleBrowserSignIns, signInInBackground } from '../helpers/oidc-browser';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

let rig: OidcProviderRig;
let world: TestWorld;
let browser: Browser;
let tmp: string;
let settingsPath: string;
let home: string;

beforeAll(async () => {
  [rig, world, browser] = await Promise.all([startOidcProvider(), startTutorialWorld({ auth: false }), launchChromium()]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-oidc-cli-'));
  home = path.join(tmp, 'home');
  await fs.mkdir(path.join(tmp, 'grants'), { recursive: true });
  await fs.writeFile(
    path.join(tmp, 'grants', 'hr-drop.yaml'),
    `apiVersion: grantbox.dev/v1
kind: Grant
metadata: {name: hr-drop, title: HR drop}
spec:
  subjects: ["group:hr-staff"]
  role: {arn: "${world.roleArn}", duration: 1h}
  target: {region: us-east-1, bucket: ${world.bucket}, prefix: "inbox/{user}/"}
  permissions: [list, upload]
`,
  );
  settingsPath = path.join(tmp, 'settings.yaml');
  await fs.writeFile(
    settingsPath,
    `apiVersion: grantbox.dev/v1
kind: Settings
grants: {source: directory, path: grants, watch: false}
aws: {region: us-east-1, endpoint: "${world.endpoint}", forcePathStyle: true}
signIn:
  method: oidc
  issuer: "${rig.issuer}"
  clientId: ${rig.clientId}
  userClaim: email
  name: Company1
`,
  );
});
afterEach(settleBrowserSignIns);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
  await world?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

/**
 * Runs the CLI; `onStdout` sees each chunk as it is written (the device flow's link must be acted on while the
 * command waits). The default browser is Chromium, signing john in.
 */
async function cli(args: string[], onStdout?: (text: string) => void): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    onStdout?.(String(chunk));
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    const program = buildProgram({
      createServices: () =>
        createServices({
          settingsPath,
          env: { ...process.env, GRANTBOX_HOME: home },
          liveGrants: false,
          openUrl: async (url) => {
            signInInBackground(browser, url, rig.users.john!);
            return true;
          },
        }),
    });
    return { code: await runProgram(program, ['node', 'grantbox', ...args]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('grantbox CLI with company sign-in', () => {
  it('login (browser) → whoami → assume → export holds no token → logout revokes', async () => {
    const login = await cli(['login']);
    expect(login).toMatchObject({ code: 0, out: 'Signed in as john@company1.example (Company1) — groups: hr-staff.\n' });
    expect(login.err).toMatch(/^Finish signing in with Company1 in your browser… \(if no page opened, open this link: http:\/\/127\.0\.0\.1:\d+\/realms\/company1\/auth\?/);

    const who = await cli(['whoami']);
    expect(who.code).toBe(0);
    expect(who.out).toMatch(/^john@company1\.example\n {2}signed in with Company1 \(OpenID Connect\) at \d{4}-\d\d-\d\dT[\d:.]+Z\n {2}groups: hr-staff\n$/);

    const assume = await cli(['assume', 'hr-drop']);
    expect(assume.code).toBe(0);

    const exportFile = path.join(tmp, 'export.json');
    expect((await cli(['logs', 'export', '--out', exportFile, '--since', 'all'])).code).toBe(0);
    const exported = await fs.readFile(exportFile, 'utf8');
    expect(exported).toContain('signin.ok');
    // Every refresh token the provider issued, searched for in the data folder, the logs and the export.
    let onDisk = exported + login.out + login.err + who.out + assume.out + assume.err;
    for (const entry of await fs.readdir(home, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) onDisk += await fs.readFile(path.join(entry.parentPath, entry.name), 'utf8');
    }
    expect(rig.issuedTokens().length).toBeGreaterThan(0);
    for (const token of rig.issuedTokens()) expect(onDisk).not.toContain(token);

    const revocations = rig.revocationRequests();
    const logout = await cli(['logout']);
    expect(logout).toMatchObject({ code: 0, out: "Signed out of Company1: the sign-in was ended at Company1 where it allows that, and removed from this computer's keychain.\n" });
    expect(rig.revocationRequests()).toBe(revocations + 1);
    expect((await cli(['whoami'])).code).toBe(1);
  });

  it('login --device: prints the link with the code on stdout, needs no input, exits 0 once approved', async () => {
    let approving: Promise<string> | undefined;
    const result = await cli(['login', '--device'], (text) => {
      const url = /https?:\/\/\S+user_code=\S+/.exec(text)?.[0];
      if (url && !approving) approving = approveDevice(browser, url, rig.users.john!);
    });
    expect(await approving).toMatch(/Sign-in Success/i);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      /^To sign in with Company1, open this link on any device and check that it shows the code [A-Z]{4}-[A-Z]{4}:\n {2}http:\/\/127\.0\.0\.1:\d+\/realms\/company1\/device\?user_code=[A-Z]{4}-[A-Z]{4}\nWaiting for you to approve…\nSigned in as john@company1\.example \(Company1\) — groups: hr-staff\.\n$/,
    );
    expect((await cli(['logout'])).code).toBe(0);
  });
});
