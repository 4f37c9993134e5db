// The settings pick the sign-in method; without a signIn section it is access keys, as before.
import { AwsClientFactory } from '../../../../../main/services/aws/client-factory';
import { createSignInMethod } from '../../../../../main/services/identity/methods';
import { AccessKeyMethod } from '../../../../../main/services/identity/methods/access-key';
import { IdentityCenterMethod } from '../../../../../main/services/identity/methods/identity-center';
import { MemorySecretStore } from '../../../../../main/services/identity/secret-store';

const deps = { secretStore: new MemorySecretStore(), clients: new AwsClientFactory({ region: 'us-east-1' }, {}), dataDir: '/nonexistent' };

describe('createSignInMethod', () => {
  it('access keys without a signIn section and with method: accessKey', () => {
    expect(createSignInMethod({}, deps)).toBeInstanceOf(AccessKeyMethod);
    expect(createSignInMethod({ signIn: { method: 'accessKey' } }, deps).kind).toBe('accessKey');
  });

  it('IAM Identity Center, named as the settings say', () => {
    const method = createSignInMethod({ signIn: { method: 'identityCenter', startUrl: 'https://d-1.awsapps.com/start', region: 'eu-west-1', accountId: '123456789012', roleName: 'R', name: 'Company1' } }, deps);
    expect(method).toBeInstanceOf(IdentityCenterMethod);
    expect(method.displayName).toBe('Company1');
  });
});
