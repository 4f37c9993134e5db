// Corporate networks with real parts: a real forward proxy (npm `proxy`) carries every AWS (moto), identity-provider
// (oidc-provider) and git (git http-backend) request. The servers are reachable only under *.grantbox.test names
// that exist nowhere but inside the proxy, so anything that went direct would fail with ENOTFOUND — the proxy's log
// shows each request and nothing can bypass it. A TLS front with a throwaway CA stands in for a TLS-inspecting proxy:
// without the CA the plain certificate message (host + issuer); with AWS_CA_BUNDLE or network.caBundle it works.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as oidc from 'openid-client';
import { createServices, type AppServices } from '../../main/services/container';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { fromAwsError } from '../../main/services/aws/errors';
import { MemorySecretStore } from '../../main/services/identity/secret-store';
import { createNetwork } from '../../main/services/network';
import { createGrantsRepo, startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy';
import { startTlsFront, type TlsFront } from '../helpers/tls-front';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

let world: TestWorld;
let git: GitHttpServer;
let proxy: ForwardProxy;
let idp: { server: http.Server; port: number };
let tmp: string;

const hr = fs.readFileSync(path.resolve('config/grants/hr-upload.yaml'), 'utf8');

async function startIdp(): Promise<{ server: http.Server; port: number }> {
  // A computed specifier: the package ships no type declarations.
  const specifier = 'oidc-provider';
  const { default: Provider } = (await import(specifier)) as { default: new (issuer: string, config: object) => { callback(): http.RequestListener } };
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  // The issuer is the name clients use; only the proxy knows where it lives.
  const provider = new Provider(`http://idp.grantbox.test:${port}`, {
    clients: [{ client_id: 'grantbox', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'], grant_types: ['authorization_code'], response_types: ['code'] }],
  });
  server.on('request', provider.callback());
  return { server, port };
}

beforeAll(async () => {
  [world, git, idp] = await Promise.all([startTutorialWorld({ auth: true }), startGitHttpServer(), startIdp()]);
  // moto serves S3 path-style only to hosts starting with "localhost" (others are read as bucket.host).
  proxy = await startForwardProxy({
    aliases: { 'localhost-aws.grantbox.test': '127.0.0.1', 'aws-tls.grantbox.test': '127.0.0.1', 'git.grantbox.test': '127.0.0.1', 'idp.grantbox.test': '127.0.0.1' },
  });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-network-'));
}, 60_000);

afterAll(async () => {
  await Promise.all([world?.stop(), git?.stop(), proxy?.close(), new Promise((r) => idp?.server.close(r))]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('behind a forward proxy', () => {
  it('AWS (sign-in, assume, S3), the git grants source and the identity provider all go through the proxy; nothing goes direct', async () => {
    const awsHost = `localhost-aws.grantbox.test:${new URL(world.endpoint).port}`;
    // The grants repository over https (plain http is refused off loopback), behind a TLS front with its own CA:
    // the git fetch goes through the proxy as CONNECT and trusts the CA from network.caBundle.
    const gitFront = await startTlsFront(git.baseUrl, { names: ['git.grantbox.test'] });
    const gitHost = `git.grantbox.test:${gitFront.port}`;
    const idpHost = `idp.grantbox.test:${idp.port}`;
    const repo = await createGrantsRepo(git, 'proxied');
    await repo.commit({ 'grants/hr-upload.yaml': hr });
    const settingsPath = path.join(tmp, 'proxy-settings.yaml');
    fs.writeFileSync(
      settingsPath,
      [
        'apiVersion: grantbox.dev/v1',
        'kind: Settings',
        'grants:',
        '  source: git',
        `  url: https://${gitHost}/proxied.git`,
        '  path: grants',
        'aws:',
        '  region: us-east-1',
        `  endpoint: http://${awsHost}`,
        '  forcePathStyle: true',
        'network:',
        `  proxy: ${proxy.url}`,
        `  caBundle: ${JSON.stringify(gitFront.caFile)}`,
        '',
      ].join('\n'),
    );
    // The process environment names no proxy: the settings alone route everything.
    const env = { PATH: process.env.PATH, HOME: tmp, GRANTBOX_HOME: path.join(tmp, 'home-proxy'), GRANTBOX_MANAGED_SETTINGS: '' };
    const services: AppServices = await createServices({ settingsPath, env, secretStore: new MemorySecretStore(), liveGrants: false });
    try {
      expect(services.grants.status().total).toBe(1);
      const me = await services.identity.signIn(world.john.accessKeyId, world.john.secretAccessKey);
      expect(me.arn).toBe('arn:aws:iam::629470240201:user/john');
      await services.sessions.assume('hr-upload');
      const s3 = services.clients.s3({ credentials: services.sessions.credentialProvider('hr-upload'), maxAttempts: 1 });
      await s3.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'via-proxy.txt', Body: 'hello' }));

      // The identity provider through the same rules: openid-client's discovery with the network's fetch.
      const config = await oidc.discovery(new URL(`http://${idpHost}`), 'grantbox', undefined, undefined, {
        [oidc.customFetch]: services.network.fetch as never,
        execute: [oidc.allowInsecureRequests],
      });
      expect(config.serverMetadata().issuer).toBe(`http://${idpHost}`);

      const hosts = proxy.hosts();
      expect(hosts).toContain(awsHost);
      expect(hosts).toContain(gitHost);
      expect(hosts).toContain(idpHost);
      // STS GetCallerIdentity (sign-in), STS AssumeRole, S3 PutObject: each a request the proxy carried.
      const awsRequests = proxy.log.filter((e) => e.target.includes(awsHost));
      expect(awsRequests.length).toBeGreaterThanOrEqual(3);
      expect(awsRequests.some((e) => e.method === 'PUT' && e.target.includes('/company1-hr/via-proxy.txt'))).toBe(true);
      expect(proxy.log.some((e) => e.method === 'CONNECT' && e.target === gitHost)).toBe(true);
      expect(gitFront.requests).toBeGreaterThanOrEqual(2);
    } finally {
      await services.close();
      await gitFront.close();
    }
  }, 60_000);

  it('HTTP_PROXY from the environment is honoured, and without any proxy the *.grantbox.test hosts cannot be reached', async () => {
    const endpoint = `http://localhost-aws.grantbox.test:${new URL(world.endpoint).port}`;
    const creds = { accessKeyId: world.john.accessKeyId, secretAccessKey: world.john.secretAccessKey };
    const before = proxy.log.length;
    const viaEnv = new AwsClientFactory({ region: 'us-east-1', endpoint }, {}, await createNetwork({ env: { HTTP_PROXY: proxy.url } }));
    const id = await viaEnv.sts({ credentials: creds, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe('arn:aws:iam::629470240201:user/john');
    expect(proxy.log.length).toBeGreaterThan(before);

    const direct = new AwsClientFactory({ region: 'us-east-1', endpoint }, {}, await createNetwork({ env: {} }));
    const failure = await direct
      .sts({ credentials: creds, maxAttempts: 1 })
      .send(new GetCallerIdentityCommand({}))
      .then(() => null, (e: unknown) => e as { code?: string });
    expect(failure?.code).toBe('ENOTFOUND');

    // NO_PROXY sends a host direct (and here, direct cannot resolve it).
    const bypass = new AwsClientFactory({ region: 'us-east-1', endpoint }, {}, await createNetwork({ env: { HTTP_PROXY: proxy.url, NO_PROXY: '.grantbox.test' } }));
    const bypassed = await bypass
      .sts({ credentials: creds, maxAttempts: 1 })
      .send(new GetCallerIdentityCommand({}))
      .then(() => null, (e: unknown) => e as { code?: string });
    expect(bypassed?.code).toBe('ENOTFOUND');
  }, 30_000);
});

describe('behind a TLS-inspecting proxy (a throwaway CA in front of moto)', () => {
  let front: TlsFront;
  beforeAll(async () => {
    front = await startTlsFront(world.endpoint, { names: ['aws-tls.grantbox.test', '127.0.0.1'] });
  });
  afterAll(() => front?.close());
  const creds = () => ({ accessKeyId: world.john.accessKeyId, secretAccessKey: world.john.secretAccessKey });

  it('without the CA: the plain certificate message naming the host and the issuer', async () => {
    const factory = new AwsClientFactory({ region: 'us-east-1', endpoint: front.url }, {}, await createNetwork({ env: {} }));
    const e = await factory
      .sts({ credentials: creds(), maxAttempts: 1 })
      .send(new GetCallerIdentityCommand({}))
      .then(() => null, (err: unknown) => fromAwsError(err, { operation: 'GetCallerIdentity', endpoint: front.url }));
    expect(e?.code).toBe('TLS_UNTRUSTED');
    expect(e?.message).toContain(`127.0.0.1:${front.port}`);
    expect(e?.message).toContain(front.caName);
    expect(e?.message).toContain('ask IT for its certificate file');
  });

  it('with AWS_CA_BUNDLE it works', async () => {
    const factory = new AwsClientFactory({ region: 'us-east-1', endpoint: front.url }, {}, await createNetwork({ env: { AWS_CA_BUNDLE: front.caFile } }));
    const id = await factory.sts({ credentials: creds(), maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe('arn:aws:iam::629470240201:user/john');
  });

  it('with network.caBundle in the settings it works — through the forward proxy (CONNECT), the issuer probe too', async () => {
    const endpoint = `https://aws-tls.grantbox.test:${front.port}`;
    const untrusted = new AwsClientFactory({ region: 'us-east-1', endpoint }, {}, await createNetwork({ settings: { proxy: proxy.url }, env: {} }));
    const e = await untrusted
      .sts({ credentials: creds(), maxAttempts: 1 })
      .send(new GetCallerIdentityCommand({}))
      .then(() => null, (err: unknown) => fromAwsError(err, { operation: 'GetCallerIdentity', endpoint }));
    expect(e?.code).toBe('TLS_UNTRUSTED');
    expect(e?.message).toContain(`aws-tls.grantbox.test:${front.port}`);
    expect(e?.message).toContain(front.caName);

    const trusted = new AwsClientFactory({ region: 'us-east-1', endpoint }, {}, await createNetwork({ settings: { proxy: proxy.url, caBundle: front.caFile }, env: {} }));
    const id = await trusted.sts({ credentials: creds(), maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe('arn:aws:iam::629470240201:user/john');
    expect(proxy.log.some((l) => l.method === 'CONNECT' && l.target === `aws-tls.grantbox.test:${front.port}`)).toBe(true);
  });

  it('fetch-based clients (setup links, openid-client) get the same answer and the same fix', async () => {
    const bare = await createNetwork({ env: {} });
    const e = await bare.fetch(`${front.url}/`).then(() => null, (err: unknown) => err);
    const { certificateAppError } = await import('../../main/services/network');
    const mapped = certificateAppError(e);
    expect(mapped?.code).toBe('TLS_UNTRUSTED');
    expect(mapped?.message).toContain(front.caName);
    const withCa = await createNetwork({ settings: { caBundle: front.caFile }, env: {} });
    const res = await withCa.fetch(`${front.url}/moto-api/`);
    expect(res.status).toBeLessThan(500);
    await Promise.all([bare.close(), withCa.close()]);
  });
});
