// The one place AWS SDK clients are built: region, endpoints (settings or the SDK's standard AWS_ENDPOINT_URL*
// variables; STS regional by default, FIPS on request), path-style addressing, retries, timeouts, and the network
// rules (proxy, extra CAs) from ../network. Every service gets its clients from here so that a local moto_server,
// an S3-compatible store, a VPC endpoint behind a corporate proxy and real AWS are all one setting away.
import { IAMClient } from '@aws-sdk/client-iam';
import { SSOClient } from '@aws-sdk/client-sso';
import { SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, DeserializeMiddleware, MetadataBearer, Pluggable } from '@smithy/types';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Network } from '../network';

export interface AwsSettings {
  region: string;
  /** One endpoint for every service (local moto, an S3-compatible store). */
  endpoint?: string;
  /** STS only; wins over `endpoint`. */
  stsEndpoint?: string;
  /** S3 only; wins over `endpoint`. */
  s3Endpoint?: string;
  useFipsEndpoint?: boolean;
  forcePathStyle?: boolean;
}

/** The AWS part of the settings as the factory wants it (region defaults to us-east-1). */
export function awsSettingsFrom(aws: Partial<AwsSettings> | undefined): AwsSettings {
  return {
    region: aws?.region ?? 'us-east-1',
    ...(aws?.endpoint ? { endpoint: aws.endpoint } : {}),
    ...(aws?.stsEndpoint ? { stsEndpoint: aws.stsEndpoint } : {}),
    ...(aws?.s3Endpoint ? { s3Endpoint: aws.s3Endpoint } : {}),
    ...(aws?.useFipsEndpoint !== undefined ? { useFipsEndpoint: aws.useFipsEndpoint } : {}),
    ...(aws?.forcePathStyle !== undefined ? { forcePathStyle: aws.forcePathStyle } : {}),
  };
}

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface ClientOptions {
  region?: string;
  credentials: Credentials;
  /** Retries for transient failures (network reset, 5xx, throttling); default 5 attempts. */
  maxAttempts?: number;
  /** Max sockets per client; uploads raise it to their concurrency. */
  maxSockets?: number;
}

/**
 * Endpoint for a service: AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the settings' per-service endpoint
 * (aws.stsEndpoint / aws.s3Endpoint), then the settings' endpoint. undefined: the SDK's own (regional) endpoint.
 */
export function resolveEndpoint(service: 'S3' | 'STS' | 'IAM', aws: AwsSettings | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const specific = service === 'STS' ? aws?.stsEndpoint : service === 'S3' ? aws?.s3Endpoint : undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || specific || aws?.endpoint || undefined;
}

/** The STS endpoint requests go to: the configured one, else the regional (never the global sts.amazonaws.com). */
export function stsEndpointFor(aws: AwsSettings, env: NodeJS.ProcessEnv = process.env): string {
  const configured = resolveEndpoint('STS', aws, env);
  if (configured) return configured;
  const suffix = aws.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sts${aws.useFipsEndpoint ? '-fips' : ''}.${aws.region}.${suffix}`;
}

/**
 * STS and IAM answer small requests in well under a second; an endpoint that accepts the connection and then says
 * nothing must fail in seconds, not after 3 × 120 s of silence (seen: `grantbox upload` sat mute for minutes).
 */
export const CONTROL_SOCKET_TIMEOUT_MS = 15_000;

/** NodeHttpHandler whose certificate failures carry the host and issuer (see ../network annotate). */
class NetworkAwareHandler extends NodeHttpHandler {
  constructor(
    options: ConstructorParameters<typeof NodeHttpHandler>[0],
    private readonly network: Network,
  ) {
    super(options);
  }

  override async handle(...[request, options]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    try {
      return await super.handle(request, options);
    } catch (e) {
      await this.network.annotate(e, `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`);
      throw e;
    }
  }
}

function requestHandler(network: Network | undefined, maxSockets: number, socketTimeout = 120_000): NodeHttpHandler {
  const options = {
    connectionTimeout: 10_000,
    // A stalled socket (no bytes either way) fails and is retried rather than hanging an upload forever.
    socketTimeout,
  };
  if (!network) {
    return new NodeHttpHandler({ ...options, httpAgent: new HttpAgent({ keepAlive: true, maxSockets }), httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }) });
  }
  // One proxy-aware agent serves both schemes (it picks http or https per request).
  const agent = network.nodeAgent({ maxSockets, keepAlive: true });
  return new NetworkAwareHandler({ ...options, httpAgent: agent, httpsAgent: agent as HttpsAgent }, network);
}

/** Error bodies are a few hundred bytes; anything bigger is not one and is left alone. */
const MAX_ERROR_BODY = 64 * 1024;
const BARE_ERROR_RE = /^\s*(?:<\?xml[^>]*\?>\s*)?<Error>[\s\S]*<\/Error>\s*$/;

async function bodyBytes(body: unknown): Promise<Buffer | null> {
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += b.length;
    if (size > MAX_ERROR_BODY) return null;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * Some S3-compatible services answer STS refusals in S3's error shape, `<Error><Code>AccessDenied</Code>…</Error>`,
 * where STS's query protocol has `<ErrorResponse><Error>…</Error></ErrorResponse>`. The SDK then loses the code
 * (the error is "Unknown" with only the message). Wrapping such a body in `<ErrorResponse>` before the SDK's own
 * deserializer reads it lets the SDK report the real code, so the refusal maps to the right plain-language error.
 */
export const s3StyleStsErrors: Pluggable<object, MetadataBearer> = {
  applyToStack(stack) {
    const middleware: DeserializeMiddleware<object, MetadataBearer> = (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown } | undefined;
      if (!response || (response.statusCode ?? 200) < 300) return result;
      const bytes = await bodyBytes(response.body).catch(() => null);
      if (bytes === null) return result;
      const text = bytes.toString('utf8');
      response.body = BARE_ERROR_RE.test(text) ? Buffer.from(`<ErrorResponse>${text.replace(/^\s*<\?xml[^>]*\?>/, '')}</ErrorResponse>`, 'utf8') : bytes;
      return result;
    };
    // Low priority in the deserialize step: runs inside the SDK's deserializer, on the raw HTTP response.
    stack.add(middleware, { step: 'deserialize', priority: 'low', name: 'grantboxS3StyleStsErrors' });
  },
};

export class AwsClientFactory {
  constructor(
    readonly aws: AwsSettings,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Proxy and extra-CA rules; without it, direct connections with Node's default trust (unit tests). */
    readonly network?: Network,
  ) {}

  endpoint(service: 'S3' | 'STS' | 'IAM'): string | undefined {
    return resolveEndpoint(service, this.aws, this.env);
  }

  sts(options: ClientOptions): STSClient {
    const region = options.region ?? this.aws.region;
    // Regional STS by default: VPC endpoints exist only for the regional ones, and the global endpoint is a
    // single point of failure in us-east-1.
    const endpoint = this.endpoint('STS') ?? stsEndpointFor({ ...this.aws, region }, this.env);
    const client = new STSClient({
      region,
      credentials: options.credentials,
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: requestHandler(this.network, options.maxSockets ?? 4, CONTROL_SOCKET_TIMEOUT_MS),
      // FIPS is already in the endpoint (the SDK refuses useFipsEndpoint together with an explicit endpoint).
      endpoint,
    });
    client.middlewareStack.use(s3StyleStsErrors);
    return client;
  }

  s3(options: ClientOptions): S3Client {
    const endpoint = this.endpoint('S3');
    return new S3Client({
      region: options.region ?? this.aws.region,
      credentials: options.credentials,
      maxAttempts: options.maxAttempts ?? 5,
      forcePathStyle: this.aws.forcePathStyle ?? Boolean(endpoint),
      requestHandler: requestHandler(this.network, options.maxSockets ?? 16),
      ...(this.aws.useFipsEndpoint && !endpoint ? { useFipsEndpoint: true } : {}),
      ...(endpoint ? { endpoint } : {}),
    });
  }

  /**
   * IAM with an admin's own credentials for admin commands (`grants revoke --apply`): the SDK's standard chain
   * (environment, shared config/SSO, container and instance roles), or one named profile of it.
   */
  iamAdmin(options: { profile?: string } = {}): IAMClient {
    const endpoint = this.endpoint('IAM');
    return new IAMClient({
      region: endpoint ? this.aws.region : 'us-east-1',
      ...(options.profile ? { profile: options.profile } : {}),
      maxAttempts: 3,
      requestHandler: requestHandler(this.network, 4, CONTROL_SOCKET_TIMEOUT_MS),
      ...(endpoint ? { endpoint } : {}),
    });
  }

  /** IAM (MFA device discovery, the sandbox's seeding): global service, signed for us-east-1 unless an endpoint is set. */
  iam(options: ClientOptions): IAMClient {
    const endpoint = this.endpoint('IAM');
    return new IAMClient({
      region: options.region ?? (endpoint ? this.aws.region : 'us-east-1'),
      credentials: options.credentials,
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: requestHandler(this.network, options.maxSockets ?? 4, CONTROL_SOCKET_TIMEOUT_MS),
      ...(this.aws.useFipsEndpoint && !endpoint ? { useFipsEndpoint: true } : {}),
      ...(endpoint ? { endpoint } : {}),
    });
  }

  /** IAM Identity Center's portal API (no SigV4 credentials: the access token authorises), through the network rules. */
  sso(region: string): SSOClient {
    return new SSOClient({ region, maxAttempts: 3, requestHandler: requestHandler(this.network, 4, CONTROL_SOCKET_TIMEOUT_MS) });
  }

  /** IAM Identity Center's OIDC API (device and authorization-code grants), through the network rules. */
  ssoOidc(region: string): SSOOIDCClient {
    return new SSOOIDCClient({ region, maxAttempts: 3, requestHandler: requestHandler(this.network, 4, CONTROL_SOCKET_TIMEOUT_MS) });
  }
}
