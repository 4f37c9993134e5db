// An AwsClientFactory that records the form body of every STS request as it leaves the client — what AWS would
// receive. Where moto does not check a field (the session policy, the web-identity token), tests assert on this.
import type { STSClient } from '@aws-sdk/client-sts';
import { AwsClientFactory, type ClientOptions } from '../../main/services/aws/client-factory';

export class RecordingFactory extends AwsClientFactory {
  readonly stsBodies: URLSearchParams[] = [];
  override sts(options: ClientOptions): STSClient {
    const client = super.sts(options);
    client.middlewareStack.add(
      (next) => async (args) => {
        const body = (args.request as { body?: unknown }).body;
        if (typeof body === 'string') this.stsBodies.push(new URLSearchParams(body));
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordStsBody', priority: 'low' },
    );
    return client;
  }
}
