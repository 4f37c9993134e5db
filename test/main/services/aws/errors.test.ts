// fromAwsError: modelled codes, S3-style / garbage bodies parsed by the real SDK from a loopback server, and Node
// network errors all become stable codes with plain messages and the request id kept.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromAwsError, scrubAwsMessage } from '../../../../main/services/aws/errors';
import { AppError } from '../../../../main/services/errors';

function stsError(name: string, status: number, message = 'x'): STSServiceException {
  return new STSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status, requestId: 'req-123' }, message });
}

describe('fromAwsError — modelled codes', () => {
  it('AssumeRole AccessDenied names the grant and the contact', () => {
    const e = fromAwsError(stsError('AccessDenied', 403, 'User: arn:aws:iam::1:user/mallory is not authorized'), {
      operation: 'AssumeRole',
      grant: 'hr-upload',
      contact: 'it@company1.example',
    });
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('NOT_IN_TRUST_POLICY');
    expect(e.message).toBe('You\'re not allowed to use “hr-upload” yet — ask it@company1.example to give you access.');
    expect(e.details).toMatchObject({ requestId: 'req-123', httpStatus: 403, awsCode: 'AccessDenied', contact: 'it@company1.example' });
    expect(e.details.hint).toBeTruthy();
  });

  it.each([
    ['InvalidClientTokenId', 'GetCallerIdentity', 'KEYS_INVALID'],
    ['SignatureDoesNotMatch', 'AssumeRole', 'KEYS_INVALID'],
    ['SignatureDoesNotMatch', 'PutObject', 'SESSION_CREDENTIALS_REJECTED'],
    ['ExpiredToken', 'AssumeRole', 'SESSION_EXPIRED'],
    ['MalformedPolicyDocument', 'AssumeRole', 'GRANT_POLICY_INVALID'],
    ['PackedPolicyTooLarge', 'AssumeRole', 'GRANT_POLICY_TOO_LARGE'],
    ['RegionDisabledException', 'AssumeRole', 'REGION_DISABLED'],
    ['RequestTimeTooSkewed', 'PutObject', 'CLOCK_SKEW'],
    ['AccessDenied', 'PutObject', 'S3_ACCESS_DENIED'],
    ['NoSuchBucket', 'PutObject', 'S3_NO_SUCH_BUCKET'],
    ['PreconditionFailed', 'PutObject', 'S3_OBJECT_EXISTS'],
    ['SlowDown', 'UploadPart', 'S3_SLOW_DOWN'],
    ['Throttling', 'AssumeRole', 'AWS_THROTTLED'],
  ])('%s on %s → %s', (name, operation, code) => {
    const e = fromAwsError(stsError(name, 400), { operation, grant: 'hr-upload', bucket: 'company1-hr' });
    expect(e.code).toBe(code);
    expect(e.message).not.toMatch(/Unknown/);
    expect(e.details.requestId).toBe('req-123');
  });

  it('a bucket policy refusing an unencrypted upload says the grant must name the key (AWS wording, not moto: moto denies without reading the condition)', () => {
    const denied = (message: string) => {
      const e = stsError('AccessDenied', 403);
      e.message = message;
      return e;
    };
    const aws = 'User: arn:aws:sts::123456789012:assumed-role/HR/anna-hr is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::company1-hr/in/a.pdf" with an explicit deny in a resource-based policy';
    for (const operation of ['PutObject', 'CreateMultipartUpload']) {
      const e = fromAwsError(denied(aws), { operation, grant: 'HR documents', bucket: 'company1-hr', encrypted: false, contact: 'it@company1.example' });
      expect(e.code).toBe('S3_ENCRYPTION_REQUIRED');
      expect(e.message).toBe('“company1-hr” only accepts encrypted files; the grant “HR documents” must name its key — tell IT.');
      expect(e.details.hint).toContain('it@company1.example');
    }
    // The grant already encrypts: the deny is about something else, and a plain refusal stays a plain refusal.
    expect(fromAwsError(denied(aws), { operation: 'PutObject', bucket: 'company1-hr', encrypted: true }).code).toBe('S3_ACCESS_DENIED');
    expect(fromAwsError(denied('Access Denied'), { operation: 'PutObject', bucket: 'company1-hr', encrypted: false }).code).toBe('S3_ACCESS_DENIED');
    expect(fromAwsError(denied(aws), { operation: 'ListObjectsV2', bucket: 'company1-hr', encrypted: false }).code).toBe('S3_ACCESS_DENIED');
  });

  it('a bad MFA code is told apart from the trust policy', () => {
    const e = fromAwsError(stsError('AccessDenied', 403, 'MultiFactorAuthentication failed with invalid MFA one time pass code.'), { operation: 'AssumeRole' });
    expect(e.code).toBe('MFA_CODE_REJECTED');
    const onToken = fromAwsError(stsError('AccessDenied', 403, 'MultiFactorAuthentication failed with invalid MFA one time pass code.'), { operation: 'GetSessionToken' });
    expect(onToken.code).toBe('MFA_CODE_REJECTED');
  });

  it('falls back to "your administrator" without a contact', () => {
    expect(fromAwsError(stsError('AccessDenied', 403), { operation: 'AssumeRole', grant: 'g' }).message).toContain('ask your administrator');
  });

  it('keeps only the last 4 characters of access key ids in AWS messages', () => {
    expect(scrubAwsMessage('The key AKIAIOSFODNN7EXAMPLE is bad')).toBe('The key …MPLE is bad');
    const e = fromAwsError(stsError('InvalidClientTokenId', 403, 'ASIAIOSFODNN7EXAMPLE unknown'), { operation: 'GetCallerIdentity' });
    expect(JSON.stringify(e.toJSON())).not.toContain('ASIAIOSFODNN7EXAMPLE');
  });

  it('passes an AppError through unchanged', () => {
    const original = new AppError('KEYCHAIN_LOCKED', 'locked');
    expect(fromAwsError(original, { operation: 'AssumeRole' })).toBe(original);
  });
});

describe('fromAwsError — network', () => {
  const net = (code: string, name = 'Error') => Object.assign(new Error(`connect ${code}`), { code, name });
  it.each([
    ['ENOTFOUND', 'NO_NETWORK'],
    ['EAI_AGAIN', 'NO_NETWORK'],
    ['ECONNREFUSED', 'ENDPOINT_UNREACHABLE'],
    ['ECONNRESET', 'ENDPOINT_UNREACHABLE'],
    ['CERT_HAS_EXPIRED', 'TLS_UNTRUSTED'],
  ])('%s → %s', (code, expected) => {
    const e = fromAwsError(net(code), { operation: 'AssumeRole', endpoint: 'https://sts.example.com' });
    expect(e.code).toBe(expected);
    expect(e.details.networkCode).toBe(code);
  });
  it('an SDK TimeoutError is an unreachable endpoint, naming the host', () => {
    const e = fromAwsError(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), { operation: 'PutObject', endpoint: 'http://10.0.0.1:9000' });
    expect(e.code).toBe('ENDPOINT_UNREACHABLE');
    expect(e.message).toContain('10.0.0.1:9000');
  });
});

describe('fromAwsError — bodies the SDK cannot parse (real SDK, loopback server)', () => {
  let server: http.Server;
  let endpoint: string;
  let reply: { status: number; body: string; type?: string } = { status: 200, body: '' };
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/xml', 'x-amz-request-id': 'rid-777' });
        res.end(reply.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const sts = () => new STSClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIAEXAMPLEEXAMPLE12', secretAccessKey: 's' } });
  const failWith = async (send: () => Promise<unknown>) => {
    try {
      await send();
    } catch (e) {
      return e;
    }
    throw new Error('expected the call to fail');
  };

  it('an S3-style <Error> body answering STS keeps its code', async () => {
    reply = { status: 403, body: '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied.</Message><RequestId>r-s3</RequestId></Error>' };
    const raw = await failWith(() => sts().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam:::role/x', RoleSessionName: 'john' })));
    const e = fromAwsError(raw, { operation: 'AssumeRole', grant: 'hr-upload' });
    expect(e.code).toBe('NOT_IN_TRUST_POLICY');
    expect(e.details.httpStatus).toBe(403);
  });

  it.each([
    [404, 'STS_UNSUPPORTED'],
    [501, 'STS_UNSUPPORTED'],
    [500, 'AWS_SERVICE_ERROR'],
    [503, 'AWS_THROTTLED'],
    [400, 'AWS_BAD_REQUEST'],
  ])('an unparseable %i from STS → %s, never UnknownError', async (status, code) => {
    reply = { status, body: 'this is not xml at all', type: 'text/plain' };
    const raw = await failWith(() => sts().send(new GetCallerIdentityCommand({})));
    const e = fromAwsError(raw, { operation: 'GetCallerIdentity' });
    expect(e.code).toBe(code);
    expect(e.message).not.toMatch(/unknown/i);
    expect(e.details.httpStatus).toBe(status);
  });

  it('a 200 with garbage is an unreadable response', async () => {
    reply = { status: 200, body: '<GetCallerIdentityResponse><unclosed', type: 'text/xml' };
    const raw = await failWith(() => sts().send(new GetCallerIdentityCommand({})));
    const e = fromAwsError(raw, { operation: 'GetCallerIdentity' });
    expect(e.code).toBe('AWS_UNREADABLE_RESPONSE');
    expect(e.message).not.toMatch(/unknown/i);
  });

  it('S3 412 on a conditional write → S3_OBJECT_EXISTS with the request id', async () => {
    reply = { status: 412, body: '<?xml version="1.0"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>' };
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 's' } });
    const raw = await failWith(() => s3.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'a.txt', Body: 'x', IfNoneMatch: '*' })));
    const e = fromAwsError(raw, { operation: 'PutObject', bucket: 'company1-hr' });
    expect(e.code).toBe('S3_OBJECT_EXISTS');
    expect(e.details.requestId).toBe('rid-777');
  });

  it('a closed port → ENDPOINT_UNREACHABLE', async () => {
    const dead = new STSClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 's' } });
    const raw = await failWith(() => dead.send(new GetCallerIdentityCommand({})));
    expect(fromAwsError(raw, { operation: 'GetCallerIdentity', endpoint: 'http://127.0.0.1:9' }).code).toBe('ENDPOINT_UNREACHABLE');
  });
});

describe('AssumeRoleWithWebIdentity refusals (company sign-in)', () => {
  const ctx = { operation: 'AssumeRoleWithWebIdentity', grant: 'HR drop', contact: 'helpdesk@company1.example' };
  it.each([
    ['InvalidIdentityToken', 400, 'WEB_IDENTITY_TOKEN_REJECTED', /IAM OIDC identity provider/],
    ['IDPRejectedClaim', 403, 'WEB_IDENTITY_CLAIM_REJECTED', /aud/],
    ['IDPCommunicationError', 400, 'WEB_IDENTITY_PROVIDER_UNREACHABLE', /Try again/],
    ['ExpiredTokenException', 400, 'WEB_IDENTITY_TOKEN_EXPIRED', /clock/],
    ['AccessDenied', 403, 'WEB_IDENTITY_NOT_TRUSTED', /trust policy/],
  ])('%s → %s', (name, status, code, hint) => {
    const e = fromAwsError(stsError(name, status), ctx);
    expect(e.code).toBe(code);
    expect(String(e.details.hint)).toMatch(hint);
    expect(e.details.requestId).toBe('req-123');
  });

  it('AccessDenied names the grant and who to ask', () => {
    expect(fromAwsError(stsError('AccessDenied', 403), ctx).message).toBe("You're not allowed to use “HR drop” yet — ask helpdesk@company1.example to give you access.");
  });
});
