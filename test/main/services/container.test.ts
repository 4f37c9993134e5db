// The container wires settings → grants → identity → sessions → uploads → audit: data folder from GRANTBOX_HOME,
// sign-in then assume through the grant store's resolvedFor, a removed grant ends its session, sign-out ends all.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createServices, type AppServices } from '../../../main/services/container';
import { MemorySecretStore } from '../../../main/services/identity/secret-store';
import type { SessionEvent } from '../../../preload/contract';

const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);
const TUTORIAL = path.resolve(__dirname, '../../../config/grants/hr-upload.yaml');

let tmp: string;
let services: AppServices | undefined;
beforeEach(async () => {
  sts.reset();
  s3.reset();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-container-'));
  const grants = path.join(tmp, 'grants');
  await fs.mkdir(grants);
  const hr = await fs.readFile(TUTORIAL, 'utf8');
  await fs.writeFile(path.join(grants, 'hr-upload.yaml'), hr);
  await fs.writeFile(path.join(grants, 'hr-archive.yaml'), hr.replace('name: hr-upload', 'name: hr-archive'));
  await fs.writeFile(
    path.join(tmp, 'settings.yaml'),
    'apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: directory\n  path: grants\naws:\n  region: us-east-1\n  endpoint: http://127.0.0.1:1\n  forcePathStyle: true\n',
  );
  sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::629470240201:user/john', Account: '629470240201' });
  sts.on(AssumeRoleCommand).callsFake(() => ({
    Credentials: { AccessKeyId: 'ASIATEMP', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3600_000) },
    $metadata: { requestId: 'r' },
  }));
});
afterEach(async () => {
  await services?.close();
  services = undefined;
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('createServices', () => {
  it('builds everything from the settings file, with the data folder from GRANTBOX_HOME', async () => {
    services = await createServices({ settingsPath: path.join(tmp, 'settings.yaml'), env: { GRANTBOX_HOME: path.join(tmp, 'home') }, secretStore: new MemorySecretStore(), liveGrants: false });
    expect(services.dataDir).toBe(path.join(tmp, 'home'));
    expect((await fs.stat(services.dataDir)).isDirectory()).toBe(true);
    expect(services.settings.aws?.endpoint).toBe('http://127.0.0.1:1');
    expect(services.clients.endpoint('STS')).toBe('http://127.0.0.1:1');
    expect(services.grants.status()).toMatchObject({ source: 'directory', total: 2 });
    expect(await services.identity.current()).toBeNull();
  });

  it('sign-in → grants for me → assume; a removed grant ends its session; sign-out ends the rest', async () => {
    services = await createServices({ settingsPath: path.join(tmp, 'settings.yaml'), env: { GRANTBOX_HOME: path.join(tmp, 'home') }, secretStore: new MemorySecretStore(), liveGrants: false });
    const events: SessionEvent[] = [];
    services.sessions.onEvent((e) => events.push(e));
    const me = await services.identity.signIn('AKIAJOHN000000001234', 'secret-secret');
    expect(services.grants.forMe(me).map((g) => g.name)).toEqual(['hr-archive', 'hr-upload']);
    await services.sessions.assume('hr-upload');
    await services.sessions.assume('hr-archive');
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.Policy).toBe(services.grants.resolvedFor('hr-upload', me).policyJson);

    await fs.rm(path.join(tmp, 'grants', 'hr-archive.yaml'));
    await services.grants.sync();
    await vi.waitFor(() => expect(events.some((e) => e.type === 'ended' && e.session.grant === 'hr-archive')).toBe(true));
    expect(events.find((e) => e.type === 'ended')).toMatchObject({ reason: 'grant removed' });
    expect(services.sessions.list().map((s) => s.grant)).toEqual(['hr-upload']);

    await services.identity.signOut();
    expect(services.sessions.list()).toEqual([]);
    await services.close();
    await services.close(); // idempotent
  });

  it('sign-out clears the queue, so the next person on this computer does not see the last one\'s file names', async () => {
    services = await createServices({ settingsPath: path.join(tmp, 'settings.yaml'), env: { GRANTBOX_HOME: path.join(tmp, 'home') }, secretStore: new MemorySecretStore(), liveGrants: false });
    s3.on(PutObjectCommand).resolves({ ETag: '"e"', $metadata: { requestId: 'r' } });
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5 });
    const file = path.join(tmp, 'payslip-john.pdf');
    await fs.writeFile(file, 'hello');
    await services.identity.signIn('AKIAJOHN000000001234', 'secret-secret');
    await services.sessions.assume('hr-upload');
    await services.uploads.start('hr-upload', [file]);
    await services.uploads.drain();
    expect(services.uploads.snapshot().items.map((i) => [i.relativePath, i.state])).toEqual([['payslip-john.pdf', 'done']]);

    await services.identity.signOut();
    expect(services.uploads.snapshot().items).toEqual([]);
    expect(services.uploads.snapshot().batches).toEqual([]);
  });

  it('a missing settings file is a plain SETTINGS_MISSING error', async () => {
    await expect(createServices({ settingsPath: path.join(tmp, 'nope.yaml'), env: { GRANTBOX_HOME: path.join(tmp, 'home') }, secretStore: new MemorySecretStore() })).rejects.toMatchObject({
      code: 'SETTINGS_MISSING',
    });
  });
});
