// Client settings that decide how long a person waits when the endpoint is silent. (Measured by hand: a silent
// endpoint fails an STS call in socketTimeout + smithy's 3 s listener deferral, about 18 s per attempt.)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { AwsClientFactory, CONTROL_SOCKET_TIMEOUT_MS } from '../../../../main/services/aws/client-factory';
import { fromAwsError } from '../../../../main/services/aws/errors';

type HandlerConfig = { socketTimeout?: number; connectionTimeout?: number };
const configOf = (client: { config: { requestHandler: unknown } }) => (client.config.requestHandler as { configProvider: Promise<HandlerConfig> }).configProvider;

describe('AwsClientFactory timeouts', () => {
  it('STS and IAM give up on a silent endpoint within seconds; S3 keeps the long idle limit for big parts', async () => {
    const f = new AwsClientFactory({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
    const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' };
    expect(CONTROL_SOCKET_TIMEOUT_MS).toBeLessThanOrEqual(15_000);
    expect((await configOf(f.sts({ credentials: creds }))).socketTimeout).toBe(CONTROL_SOCKET_TIMEOUT_MS);
    expect((await configOf(f.iam({ credentials: creds }))).socketTimeout).toBe(CONTROL_SOCKET_TIMEOUT_MS);
    expect((await configOf(f.s3({ credentials: creds }))).socketTimeout).toBe(120_000);
  });
});

describe('STS refusals in S3-style error bodies', () => {
  // S3-compatible services (seen with Ceph RGW-style gateways) answer STS with <Error><Code>…</Code></Error>, the
  // shape S3 uses, instead of STS's <ErrorResponse>. A real loopback server answers so; the real SDK parses it.
  async function refuseWith(status: number, body: string, contentType = 'application/xml') {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status, { 'content-type': contentType, 'x-amz-request-id': 'RID-S3STYLE' }).end(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const f = new AwsClientFactory({ region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const sts = f.sts({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::629470240201:role/r', RoleSessionName: 'john' }));
      throw new Error('expected a refusal');
    } catch (e) {
      return fromAwsError(e, { operation: 'AssumeRole', grant: 'HR documents' });
    } finally {
      sts.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  it('reads AccessDenied from <Error><Code> (with and without an XML declaration) as a trust refusal', async () => {
    const withDecl = await refuseWith(403, '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied.</Message><RequestId>RID-S3STYLE</RequestId></Error>');
    expect(withDecl).toMatchObject({ code: 'NOT_IN_TRUST_POLICY', details: { awsCode: 'AccessDenied', requestId: 'RID-S3STYLE', httpStatus: 403 } });
    const bare = await refuseWith(403, '<Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message></Error>');
    expect(bare).toMatchObject({ code: 'KEYS_INVALID', details: { awsCode: 'SignatureDoesNotMatch' } });
  });

  it('leaves STS’s own shape and non-XML bodies as they were', async () => {
    const own = await refuseWith(403, '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>x</Message></Error><RequestId>r</RequestId></ErrorResponse>', 'text/xml');
    expect(own).toMatchObject({ code: 'KEYS_INVALID', details: { awsCode: 'InvalidClientTokenId' } });
    const text = await refuseWith(501, 'Not Implemented', 'text/plain');
    expect(text.code).toBe('STS_UNSUPPORTED');
  });
});
