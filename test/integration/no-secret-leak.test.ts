// No secret leaves the keychain: sign in through the REAL keychain (the suite runs under scripts/with-keyring.sh)
// with known secrets, run sessions (start, refresh, end), provoke errors, export the helpdesk log, then search the
// export and every file under the data folder for the secrets, the session tokens and the full access key ids.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createServices, type AppServices } from '../../main/services/container';
import { LONG_TERM_KEY_ACCOUNT, type DefaultIdentityService } from '../../main/services/identity/identity-service';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

const REPO_GRANTS = path.resolve(__dirname, '../../config/grants');
const WRONG_SECRET = 'KnownFakeSecretThatMustNeverBeWritten0001';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

let world: TestWorld;
let tmp: string;
let services: AppServices | undefined;
beforeAll(async () => {
  world = await startTutorialWorld();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-leak-'));
});
afterAll(async () => {
  await services?.close();
  await world?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('no secret leaks', () => {
  it('neither the export nor anything under the data folder holds a secret, token or full key id', async () => {
    const home = path.join(tmp, 'home');
    const settingsPath = path.join(tmp, 'settings.yaml');
    await fs.writeFile(
      settingsPath,
      `apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: directory\n  path: ${JSON.stringify(REPO_GRANTS)}\naws:\n  region: us-east-1\n  endpoint: ${world.endpoint}\n  forcePathStyle: true\n`,
    );
    services = await createServices({ settingsPath, env: { ...process.env, GRANTBOX_HOME: home }, appVersion: 'leak-test', liveGrants: false });
    const secrets = new Set<string>([WRONG_SECRET, world.john.secretAccessKey, world.mallory.secretAccessKey]);
    const fullKeyIds = new Set<string>([world.john.accessKeyId, world.mallory.accessKeyId]);

    // Errors: a wrong secret, then mallory (signs in, refused by the grant), then john for real.
    await expect(services.identity.signIn(world.john.accessKeyId, WRONG_SECRET)).rejects.toMatchObject({ code: 'KEYS_INVALID' });
    await services.identity.signIn(world.mallory.accessKeyId, world.mallory.secretAccessKey);
    await expect(services.sessions.assume('hr-upload')).rejects.toMatchObject({ code: 'GRANT_NOT_FOR_YOU' });
    const john = await services.identity.signIn(world.john.accessKeyId, world.john.secretAccessKey);
    expect(john.userName).toBe('john');
    // The secret really is in the OS keychain (so it went somewhere — just not to disk or the log).
    const account = (await (services.identity as DefaultIdentityService).keychainAccount())!;
    expect(account.startsWith(`${LONG_TERM_KEY_ACCOUNT}:`)).toBe(true);
    expect(JSON.parse((await services.secretStore.get(account))!)).toEqual({ accessKeyId: world.john.accessKeyId, secretAccessKey: world.john.secretAccessKey });

    // Sessions: start, use, refresh (extend), end; collect every temporary secret and token handed out.
    await services.sessions.assume('hr-upload');
    const provider = services.sessions.credentialProvider('hr-upload');
    const first = await provider();
    const s3 = services.clients.s3({ credentials: provider, maxAttempts: 1 });
    await s3.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'leak-check.txt', Body: 'x' }));
    await services.sessions.extend('hr-upload');
    const second = await provider();
    for (const c of [first, second]) {
      secrets.add(c.secretAccessKey);
      secrets.add(c.sessionToken!);
      fullKeyIds.add(c.accessKeyId);
    }
    expect(second.sessionToken).not.toBe(first.sessionToken);
    await expect(services.sessions.assume('no-such-grant')).rejects.toMatchObject({ code: 'GRANT_NOT_FOUND' });
    await services.sessions.end('hr-upload');

    const exportFile = path.join(tmp, 'helpdesk-export.json');
    const { records } = await services.audit.exportTo(exportFile, {});
    expect(records).toBeGreaterThan(3);
    const exported = await fs.readFile(exportFile, 'utf8');
    // The export is about this run (so an empty export cannot pass the test).
    expect(exported).toContain('session.started');
    expect(exported).toContain('KEYS_INVALID');

    const files = [exportFile, ...(await filesUnder(home))];
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const text = await fs.readFile(file, 'utf8');
      for (const s of secrets) expect(text.includes(s), `${path.relative(tmp, file)} contains a secret/token`).toBe(false);
      for (const id of fullKeyIds) expect(text.includes(id), `${path.relative(tmp, file)} contains a full access key id`).toBe(false);
    }
    await services.identity.signOut();
    expect(await services.secretStore.get(account)).toBeNull();
  });
});
