// Client settings that decide how long a person waits when the endpoint is silent. (Measured by hand: a silent
// endpoint fails an STS call in socketTimeout + smithy's 3 s listener deferral, about 18 s per attempt.)
import { AwsClientFactory, CONTROL_SOCKET_TIMEOUT_MS } from '../../../../main/services/aws/client-factory';

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
