// The tutorial's world in a local moto_server (shared/seed "Demo Session Policies"): account 629470240201, user john
// with access keys, role JohnUploadRole trusting john with the tutorial's permission policy, bucket company1-hr
// holding Test.txt, plus mallory, who may call sts:AssumeRole but is not in the role's trust policy. Used by
// `grantbox sandbox`, the integration tests and the demos. Seed with moto's auth OFF (it does not sign-check the
// admin calls), then switch auth on so trust policies, signatures and permissions are enforced.
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { TUTORIAL_GRANT_BODY } from '../../../config/examples';
import { AwsClientFactory } from '../aws/client-factory';

/** Matches config/grants/hr-upload.yaml's ARNs unchanged when moto runs with MOTO_ACCOUNT_ID set to it. */
export const TUTORIAL_ACCOUNT_ID = '629470240201';
export const TUTORIAL_BUCKET = 'company1-hr';
export const TUTORIAL_ROLE = 'JohnUploadRole';
export const TEST_TXT = 'Hello!\n';

/**
 * Fallback copy of config/grants/hr-upload.yaml, written by `grantbox sandbox` when no checkout is at hand: the
 * repository file's comment without the editor schema line (no schema/ folder sits next to the sandbox's grants/).
 */
export const TUTORIAL_GRANT_YAML = `# The tutorial's grant (shared/seed: "Demo Session Policies"): John may list, read and upload in company1-hr for
# an hour through JohnUploadRole. The generated session policy is the tutorial's plus the two multipart actions
# an interrupted upload needs (see \`grantbox grants show hr-upload\`).
${TUTORIAL_GRANT_BODY}`;

export interface SandboxUser {
  userName: string;
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface TutorialWorld {
  endpoint: string;
  region: string;
  accountId: string;
  roleArn: string;
  bucket: string;
  john: SandboxUser;
  mallory: SandboxUser;
}

/** The tutorial's permission policy (step 3), attached to the role as SessionPolicy-UploadFile. */
export function tutorialPermissionPolicy(bucket = TUTORIAL_BUCKET): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        // The tutorial's three actions plus the two an interrupted multipart upload needs (the grant asks for them too).
        Action: ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      },
    ],
  };
}

/** The tutorial's trust policy (step 4): only john may assume the role. */
export function tutorialTrustPolicy(accountId: string): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:user/john` }, Action: 'sts:AssumeRole' }],
  };
}

const ASSUME_ANY_ROLE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:GetCallerIdentity'], Resource: '*' }],
});

/**
 * Seeds the world into the moto_server at `endpoint` (auth must be OFF while this runs). `accountId` must be the
 * server's MOTO_ACCOUNT_ID (ARNs are built from it).
 */
export async function seedTutorialWorld(endpoint: string, options: { accountId?: string; region?: string } = {}): Promise<TutorialWorld> {
  const accountId = options.accountId ?? TUTORIAL_ACCOUNT_ID;
  const region = options.region ?? 'us-east-1';
  // Any credentials do while moto's auth is off.
  const admin = { accessKeyId: 'AKIASANDBOXADMIN0000', secretAccessKey: 'sandbox-admin' };
  const factory = new AwsClientFactory({ region, endpoint, forcePathStyle: true }, {});
  const iam = factory.iam({ credentials: admin, maxAttempts: 1 });
  const s3 = factory.s3({ credentials: admin, maxAttempts: 1 });
  try {
    const user = async (userName: string, s3Statements: object[]): Promise<SandboxUser> => {
      const created = await iam.send(new CreateUserCommand({ UserName: userName }));
      const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
      await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'AllowAssumeRole', PolicyDocument: ASSUME_ANY_ROLE }));
      if (s3Statements.length > 0) {
        await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'ListHrBucket', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: s3Statements }) }));
      }
      return {
        userName,
        arn: created.User?.Arn ?? `arn:aws:iam::${accountId}:user/${userName}`,
        accessKeyId: key.AccessKey!.AccessKeyId!,
        secretAccessKey: key.AccessKey!.SecretAccessKey!,
      };
    };
    // Tutorial step 2: john can list the bucket but not upload to it on his own.
    const john = await user('john', [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${TUTORIAL_BUCKET}` }]);
    const mallory = await user('mallory', []);

    const policy = await iam.send(new CreatePolicyCommand({ PolicyName: 'SessionPolicy-UploadFile', PolicyDocument: JSON.stringify(tutorialPermissionPolicy()) }));
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: TUTORIAL_ROLE, AssumeRolePolicyDocument: JSON.stringify(tutorialTrustPolicy(accountId)), MaxSessionDuration: 12 * 3600 }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: TUTORIAL_ROLE, PolicyArn: policy.Policy!.Arn! }));

    await s3.send(new CreateBucketCommand({ Bucket: TUTORIAL_BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: TUTORIAL_BUCKET, Key: 'Test.txt', Body: TEST_TXT, ContentType: 'text/plain' }));

    return {
      endpoint,
      region,
      accountId,
      roleArn: role.Role?.Arn ?? `arn:aws:iam::${accountId}:role/${TUTORIAL_ROLE}`,
      bucket: TUTORIAL_BUCKET,
      john,
      mallory,
    };
  } finally {
    iam.destroy();
    s3.destroy();
  }
}

/** The sandbox's company-sign-in grant: people in the provider's hr-staff group, through the tutorial role. */
export const COMPANY_GRANT_YAML = `# Company sign-in in the sandbox: anyone in the hr-staff group at Company1 (the local OpenID Provider) may upload
# to company1-hr through JohnUploadRole, which trusts that provider (web identity, aud = grantbox).
apiVersion: grantbox.dev/v1
kind: Grant
metadata:
  name: hr-company
  title: HR team drop box
  description: Signed forms for the HR team.
  contact: helpdesk@company1.example
spec:
  subjects:
    - group:hr-staff
  role:
    arn: arn:aws:iam::629470240201:role/JohnUploadRole
    duration: 1h
    sessionName: "{user}-{grant}"
  target:
    region: us-east-1
    bucket: company1-hr
    prefix: ""
  permissions: [list, read, upload]
`;

/** The IAM name of an OIDC issuer: its URL without the scheme (what trust-policy condition keys start with). */
export function issuerHostPath(issuer: string): string {
  return issuer.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

/**
 * The tutorial role's trust policy for company sign-in: john's IAM user as before, plus web identities from the
 * local OpenID Provider whose ID token was issued to Grantbox's client (`aud`), as docs/admins.md tells admins to
 * write it. Which people may use the grant is the grant's subjects (group:hr-staff); this is what STS enforces.
 */
export function companyTrustPolicy(accountId: string, issuer: string, clientId: string): object {
  const idp = issuerHostPath(issuer);
  return {
    Version: '2012-10-17',
    Statement: [
      ...(tutorialTrustPolicy(accountId) as { Statement: object[] }).Statement,
      {
        Sid: 'GrantboxCompanySignIn',
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${idp}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${idp}:aud`]: clientId } },
      },
    ],
  };
}

/**
 * Company sign-in in the sandbox: registers the local OpenID Provider as an IAM OIDC identity provider and makes
 * the tutorial role trust it (web identity). Run with moto's auth OFF, after seedTutorialWorld. Returns the
 * provider's ARN. (moto does not check the token on AssumeRoleWithWebIdentity; the tests check what is sent.)
 */
export async function seedCompanySignIn(endpoint: string, options: { issuer: string; clientId: string; accountId?: string; region?: string }): Promise<string> {
  const accountId = options.accountId ?? TUTORIAL_ACCOUNT_ID;
  const factory = new AwsClientFactory({ region: options.region ?? 'us-east-1', endpoint, forcePathStyle: true }, {});
  const iam = factory.iam({ credentials: { accessKeyId: 'AKIASANDBOXADMIN0000', secretAccessKey: 'sandbox-admin' }, maxAttempts: 1 });
  try {
    const created = await iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: options.issuer, ClientIDList: [options.clientId], ThumbprintList: ['0000000000000000000000000000000000000000'] }),
    );
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: TUTORIAL_ROLE, PolicyDocument: JSON.stringify(companyTrustPolicy(accountId, options.issuer, options.clientId)) }));
    return created.OpenIDConnectProviderArn ?? `arn:aws:iam::${accountId}:oidc-provider/${issuerHostPath(options.issuer)}`;
  } finally {
    iam.destroy();
  }
}
