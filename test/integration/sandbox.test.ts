// The sandbox world: seeded moto_server (auth on) behaves like the tutorial — john lists but cannot upload on his
// own, Test.txt is there, john may assume JohnUploadRole and then upload; mallory is refused by the trust policy.
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { TEST_TXT } from '../../main/services/sandbox/seed';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

let world: TestWorld;
let clients: AwsClientFactory;
beforeAll(async () => {
  world = await startTutorialWorld();
  clients = new AwsClientFactory({ region: 'us-east-1', endpoint: world.endpoint, forcePathStyle: true }, {});
});
afterAll(() => world?.stop());

describe('seedTutorialWorld (auth on)', () => {
  it('john is john in account 629470240201', async () => {
    const sts = clients.sts({ credentials: world.john });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: '629470240201', Arn: 'arn:aws:iam::629470240201:user/john' });
  });

  it('john lists company1-hr (Test.txt) but cannot upload without the role', async () => {
    const s3 = clients.s3({ credentials: world.john, maxAttempts: 1 });
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'company1-hr' }));
    expect(list.Contents?.map((o) => o.Key)).toEqual(['Test.txt']);
    await expect(s3.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'new-file.txt', Body: 'hi' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('with the role, john uploads; mallory is refused the role', async () => {
    const sts = clients.sts({ credentials: world.john });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: world.roleArn, RoleSessionName: 'JohnUploadSession' }));
    const c = out.Credentials!;
    const s3 = clients.s3({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    await s3.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'new-file.txt', Body: 'hi\n' }));
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'company1-hr', Key: 'Test.txt' }))).Body!.transformToString();
    expect(body).toBe(TEST_TXT);
    const mallorySts = clients.sts({ credentials: world.mallory, maxAttempts: 1 });
    await expect(mallorySts.send(new AssumeRoleCommand({ RoleArn: world.roleArn, RoleSessionName: 'x1' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
