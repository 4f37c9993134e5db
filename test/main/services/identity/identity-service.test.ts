// Sign-in: verified before storing, secret only in the SecretStore, identity.json 0600 without the secret,
// unverified sign-in when GetCallerIdentity is missing, keychain failures propagate, sign-out ends sessions.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListBucketsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClientFactory } from '../../../../main/services/aws/client-factory';
import { AppError } from '../../../../main/services/errors';
import { DefaultIdentityService, IDENTITY_FILE, LONG_TERM_KEY_ACCOUNT, userNameFromArn } from '../../../../main/services/identity/identity-service';
import { MemorySecretStore, type SecretStore } from '../../../../main/services/identity/secret-store';
import type { LogRecord } from '../../../../main/services/audit/types';
import type { BaseCredentials, InteractiveSignInOptions, SignInLink, SignInMethod } from '../../../../main/services/identity/methods/types';
import type { IdentityInfo } from '../../../../preload/contract';

const KEY_ID = 'AKIAJOHNEXAMPLE12345';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const stsMock = mockClient(STSClient);
const s3Mock = mockClient(S3Client);
let dataDir: string;
let records: LogRecord[];

function service(store: SecretStore = new MemorySecretStore(), extra: { onSignOut?: () => Promise<void>; env?: NodeJS.ProcessEnv } = {}) {
  return new DefaultIdentityService({
    secretStore: store,
    clients: new AwsClientFactory({ region: 'us-east-1' }, {}),
    dataDir,
    log: { append: async (r) => void records.push(r) },
    ...extra,
  });
}

beforeEach(async () => {
  stsMock.reset();
  s3Mock.reset();
  // Services without GetCallerIdentity: keys are checked with ListBuckets; default answer "AccessDenied" (genuine).
  s3Mock.on(ListBucketsCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403, requestId: 's3-1' }, message: 'Access Denied' }));
  records = [];
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-identity-'));
});
afterEach(() => fs.rm(dataDir, { recursive: true, force: true }));

describe('DefaultIdentityService', () => {
  it('verifies with GetCallerIdentity, keeps the secret in the store and only metadata on disk', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::629470240201:user/john', Account: '629470240201', UserId: 'AIDA', $metadata: { requestId: 'r-1' } });
    const store = new MemorySecretStore();
    const id = service(store);
    const info = await id.signIn(` ${KEY_ID} `, SECRET);
    expect(info).toEqual({ arn: 'arn:aws:iam::629470240201:user/john', account: '629470240201', userName: 'john', accessKeyIdLast4: '2345', verified: true });
    const account = (await id.keychainAccount())!;
    expect(account).toMatch(new RegExp(`^${LONG_TERM_KEY_ACCOUNT}:[0-9a-f-]{36}$`));
    expect(JSON.parse((await store.get(account))!)).toEqual({ accessKeyId: KEY_ID, secretAccessKey: SECRET });
    const file = path.join(dataDir, IDENTITY_FILE);
    const text = await fs.readFile(file, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY_ID);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await id.current()).toEqual(info);
    expect(JSON.stringify(records)).not.toContain(SECRET);
    expect(JSON.stringify(records)).not.toContain(KEY_ID);
    expect(records.map((r) => r.type)).toEqual(['signin.verified', 'signin.ok']);
  });

  it('refuses wrong keys and stores nothing', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(new STSServiceException({ name: 'InvalidClientTokenId', $fault: 'client', $metadata: { httpStatusCode: 403, requestId: 'r-2' }, message: 'bad' }));
    const store = new MemorySecretStore();
    const set = vi.spyOn(store, 'set');
    const id = service(store);
    await expect(id.signIn(KEY_ID, SECRET)).rejects.toMatchObject({ code: 'KEYS_INVALID', details: { requestId: 'r-2' } });
    expect(set).not.toHaveBeenCalled();
    expect(await id.keychainAccount()).toBeNull();
    expect(await id.current()).toBeNull();
    expect(records[0]).toMatchObject({ type: 'signin.failed', code: 'KEYS_INVALID', requestId: 'r-2' });
  });

  it('signs in unverified when the service lacks GetCallerIdentity, saying so', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(new STSServiceException({ name: 'NotImplemented', $fault: 'client', $metadata: { httpStatusCode: 501 }, message: 'nope' }));
    const info = await service().signIn(KEY_ID, SECRET, { userName: 'minio-john' });
    expect(info).toMatchObject({ verified: false, keysChecked: true, userName: 'minio-john', arn: '' });
    expect(info.note).toMatch(/accepted by the storage service, but it cannot say whose they are/);
  });

  it('unverified sign-in may name its ARN (S3-compatible STS, empty account) so grants can match', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(new STSServiceException({ name: 'NotImplemented', $fault: 'client', $metadata: { httpStatusCode: 501 }, message: 'nope' }));
    const info = await service().signIn(KEY_ID, SECRET, { arn: 'arn:minio:iam:::user/john' });
    expect(info).toMatchObject({ verified: false, userName: 'john', arn: 'arn:minio:iam:::user/john', account: '' });
    await expect(service().signIn(KEY_ID, SECRET, { arn: 'john' })).rejects.toMatchObject({ code: 'SIGN_IN_INVALID_ARN' });
    // A verified answer wins over a claimed ARN.
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::1:user/real', Account: '1' });
    expect((await service().signIn(KEY_ID, SECRET, { arn: 'arn:aws:iam::1:user/claimed' })).arn).toBe('arn:aws:iam::1:user/real');
  });

  it('without GetCallerIdentity, checks the keys with S3 ListBuckets: wrong keys refused, AccessDenied or success genuine', async () => {
    const notImplemented = new STSServiceException({ name: 'NotImplemented', $fault: 'client', $metadata: { httpStatusCode: 501 }, message: 'nope' });
    stsMock.on(GetCallerIdentityCommand).rejects(notImplemented);
    const store = new MemorySecretStore();
    const set = vi.spyOn(store, 'set');
    for (const code of ['SignatureDoesNotMatch', 'InvalidAccessKeyId']) {
      s3Mock.on(ListBucketsCommand).rejects(new S3ServiceException({ name: code, $fault: 'client', $metadata: { httpStatusCode: 403, requestId: `s3-${code}` }, message: 'no' }));
      await expect(service(store).signIn(KEY_ID, SECRET)).rejects.toMatchObject({
        code: 'KEYS_INVALID',
        details: { awsCode: code, requestId: `s3-${code}`, operation: 'ListBuckets' },
      });
    }
    expect(set).not.toHaveBeenCalled();
    expect(records.filter((r) => r.type === 'signin.failed')).toEqual([
      expect.objectContaining({ checkedWith: 'ListBuckets', awsCode: 'SignatureDoesNotMatch' }),
      expect.objectContaining({ checkedWith: 'ListBuckets', awsCode: 'InvalidAccessKeyId' }),
    ]);

    s3Mock.on(ListBucketsCommand).resolves({ Buckets: [], $metadata: { requestId: 's3-ok' } });
    expect(await service(store).signIn(KEY_ID, SECRET, { userName: 'john' })).toMatchObject({ verified: false, keysChecked: true });
    expect(records.find((r) => r.type === 'signin.unverified')).toMatchObject({ keysChecked: true, checkRequestId: 's3-ok' });

    records = [];
    s3Mock.on(ListBucketsCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
    const unchecked = await service(store).signIn(KEY_ID, SECRET, { userName: 'john' });
    expect(unchecked).toMatchObject({ verified: false, keysChecked: false });
    expect(unchecked.note).toContain('could not check them yet');
    expect(records.find((r) => r.type === 'signin.unverified')).toMatchObject({ keysChecked: false, checkCode: 'ENDPOINT_UNREACHABLE' });
  });

  it('rejects malformed input before calling AWS', async () => {
    await expect(service().signIn('has space', SECRET)).rejects.toMatchObject({ code: 'SIGN_IN_INVALID_KEY_ID' });
    await expect(service().signIn(KEY_ID, 'a b c')).rejects.toMatchObject({ code: 'SIGN_IN_INVALID_SECRET' });
    expect(stsMock.calls()).toHaveLength(0);
  });

  it('propagates keychain errors with their own code (no silent "not signed in")', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::1:user/john', Account: '1' });
    const store = new MemorySecretStore();
    const id = service(store);
    await id.signIn(KEY_ID, SECRET);
    store.get = async () => {
      throw new AppError('KEYCHAIN_LOCKED', 'locked');
    };
    await expect(id.current()).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
    store.get = async () => null;
    await expect(id.current()).rejects.toMatchObject({ code: 'SIGN_IN_SECRET_MISSING' });
  });

  it('sign-out deletes the secret, the record, and ends sessions', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::1:user/john', Account: '1' });
    const store = new MemorySecretStore();
    const ended = vi.fn(async () => {});
    const id = service(store, { onSignOut: ended });
    const seen: unknown[] = [];
    id.onChanged((i) => seen.push(i));
    await id.signIn(KEY_ID, SECRET);
    const account = (await id.keychainAccount())!;
    expect(await store.get(account)).not.toBeNull();
    await id.signOut();
    expect(ended).toHaveBeenCalledTimes(1);
    expect(await store.get(account)).toBeNull();
    expect(await id.current()).toBeNull();
    await expect(id.longTermCredentials()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBeNull();
  });

  it('imports a profile from AWS_SHARED_CREDENTIALS_FILE', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::629470240201:user/john', Account: '629470240201' });
    const creds = path.join(dataDir, 'credentials');
    await fs.writeFile(creds, `[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = x1\n\n[john]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n\n[temp]\naws_access_key_id = ASIATEMP\naws_secret_access_key = y\naws_session_token = z\n`);
    const store = new MemorySecretStore();
    const id = service(store, { env: { AWS_SHARED_CREDENTIALS_FILE: creds, AWS_CONFIG_FILE: path.join(dataDir, 'none') } });
    expect(await id.listProfiles()).toEqual([
      { name: 'default', accessKeyIdLast4: '0001' },
      { name: 'john', accessKeyIdLast4: '2345' },
      { name: 'temp', accessKeyIdLast4: 'TEMP' },
    ]);
    expect((await id.signInWithProfile('john')).userName).toBe('john');
    expect(JSON.parse((await store.get((await id.keychainAccount())!))!)).toEqual({ accessKeyId: KEY_ID, secretAccessKey: SECRET });
    await expect(id.signInWithProfile('nobody')).rejects.toMatchObject({ code: 'PROFILE_NOT_FOUND' });
    await expect(id.signInWithProfile('temp')).rejects.toMatchObject({ code: 'PROFILE_HAS_TEMPORARY_KEYS' });
  });

  it('a new sign-in replaces the earlier one and removes its key; data folders never share a keychain entry', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::1:user/john', Account: '1' });
    const store = new MemorySecretStore();
    const a = service(store);
    await a.signIn(KEY_ID, SECRET);
    const first = (await a.keychainAccount())!;
    await a.signIn('AKIAJOHNSECONDKEY0001', 'second-secret');
    const second = (await a.keychainAccount())!;
    expect(second).not.toBe(first);
    expect(await store.get(first)).toBeNull();
    // Another data folder on the same keychain signs in and out without touching this one.
    const otherDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-identity-other-'));
    const b = new DefaultIdentityService({ secretStore: store, clients: new AwsClientFactory({ region: 'us-east-1' }, {}), dataDir: otherDir });
    await b.signIn(KEY_ID, SECRET);
    await b.signOut();
    expect((await a.longTermCredentials()).accessKeyId).toBe('AKIAJOHNSECONDKEY0001');
    await fs.rm(otherDir, { recursive: true, force: true });
  });

  it('derives user names from ARNs', () => {
    expect(userNameFromArn('arn:aws:iam::1:user/team/john')).toBe('john');
    expect(userNameFromArn('arn:aws:sts::1:assumed-role/R/sess')).toBe('sess');
    expect(userNameFromArn('arn:aws:iam::1:root')).toBe('root');
  });
});

describe('DefaultIdentityService with a sign-in method', () => {
  /** A company method that signs "jane" in without a browser: what the facade does with any method. */
  class FakeCompanyMethod implements SignInMethod {
    readonly kind = 'oidc' as const;
    readonly displayName = 'Company1';
    signedIn: IdentityInfo | null = null;
    signOuts = 0;
    async signInInteractive(options: InteractiveSignInOptions = {}): Promise<IdentityInfo> {
      options.onLink?.({ url: 'http://127.0.0.1:1/authorize', opened: false });
      this.signedIn = { arn: '', account: '', userName: 'jane', accessKeyIdLast4: '', verified: true, method: 'oidc', provider: 'Company1', groups: ['hr-staff'] };
      return this.signedIn;
    }
    async current(): Promise<IdentityInfo | null> {
      return this.signedIn;
    }
    async baseCredentials(): Promise<BaseCredentials> {
      if (!this.signedIn) throw new AppError('NOT_SIGNED_IN', 'You are not signed in.');
      return { kind: 'webIdentity', token: 'id-token', expiresAt: new Date(Date.now() + 60_000), identity: this.signedIn };
    }
    async signOut(): Promise<void> {
      this.signOuts += 1;
      this.signedIn = null;
    }
  }

  it('access keys by default: no interactive sign-in, and the summary says so', async () => {
    const id = service();
    expect(id.summary()).toEqual({ method: 'accessKey', name: 'AWS access key' });
    await expect(id.signInInteractive()).rejects.toMatchObject({ code: 'SIGN_IN_NEEDS_KEYS' });
  });

  it('delegates to the configured method, emits who signed in, and refuses the access-key calls', async () => {
    const method = new FakeCompanyMethod();
    const ended = vi.fn(async () => {});
    const id = new DefaultIdentityService({ secretStore: new MemorySecretStore(), clients: new AwsClientFactory({ region: 'us-east-1' }, {}), dataDir, method, onSignOut: ended });
    const seen: Array<IdentityInfo | null> = [];
    id.onChanged((i) => seen.push(i));
    expect(id.summary()).toEqual({ method: 'oidc', name: 'Company1' });
    const links: SignInLink[] = [];
    const info = await id.signInInteractive({ onLink: (l) => links.push(l) });
    expect(info.userName).toBe('jane');
    expect(links).toEqual([{ url: 'http://127.0.0.1:1/authorize', opened: false }]);
    expect(await id.baseCredentials()).toMatchObject({ kind: 'webIdentity', identity: { userName: 'jane' } });
    await expect(id.signIn(KEY_ID, SECRET)).rejects.toMatchObject({ code: 'SIGN_IN_METHOD_NOT_KEYS', message: expect.stringContaining('Company1') });
    await expect(id.longTermCredentials()).rejects.toMatchObject({ code: 'SIGN_IN_METHOD_NOT_KEYS' });
    expect(await id.listProfiles()).toEqual([]);
    await id.signOut();
    expect(method.signOuts).toBe(1);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(seen.map((i) => i?.userName ?? null)).toEqual(['jane', null]);
  });

  it('an access-key sign-in left from before the settings changed is not current, and sign-out still removes it', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::1:user/john', Account: '1' });
    const store = new MemorySecretStore();
    await service(store).signIn(KEY_ID, SECRET);
    const account = JSON.parse(await fs.readFile(path.join(dataDir, IDENTITY_FILE), 'utf8')).keychainAccount as string;
    expect(await store.get(account)).not.toBeNull();
    const method = new FakeCompanyMethod();
    const id = new DefaultIdentityService({ secretStore: store, clients: new AwsClientFactory({ region: 'us-east-1' }, {}), dataDir, method, log: { append: async (r) => void records.push(r) } });
    expect(await id.current()).toBeNull();
    expect(await id.keychainAccount()).toBeNull();
    await id.signOut();
    expect(method.signOuts).toBe(0);
    expect(await store.get(account)).toBeNull();
    await expect(fs.stat(path.join(dataDir, IDENTITY_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(records.at(-1)).toEqual({ type: 'signout', method: 'accessKey' });
  });

  it('a company record is not an access-key sign-in', async () => {
    await fs.writeFile(path.join(dataDir, IDENTITY_FILE), JSON.stringify({ version: 1, method: 'oidc', keychainAccount: 'oidc-refresh-token:x', signedInAt: '2026-12-01T00:00:00Z' }));
    const id = service();
    expect(await id.current()).toBeNull();
    await expect(id.longTermCredentials()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });
});
