// Ending sessions already issued (`grantbox grants revoke NAME`): AWS's own "revoke active sessions" inline policy
// (the console's "Revoke sessions" button puts the same document on the role as AWSRevokeOlderSessions): deny every
// action to every session whose token was issued before now. Sessions started afterwards are not affected, so
// people who still hold the grant simply get a new session at their next refresh; a removed grant or a lost
// laptop's sessions end at once instead of living on until they expire.
import { NoSuchEntityException, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AppError } from '../errors';
import { fromAwsError } from '../aws/errors';

export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

/** The instant written into the policy: now rounded up to the next whole second, so no earlier token slips through. */
export function revokeInstant(now: Date): string {
  const ms = Math.ceil(now.getTime() / 1000) * 1000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The policy document AWS uses to revoke a role's older sessions. */
export function revokePolicy(now: Date): { Version: '2012-10-17'; Statement: object[] } {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': revokeInstant(now) } } }],
  };
}

/** The role's name for IAM calls: the ARN's last path segment. */
export function roleNameOf(roleArn: string): string {
  return roleArn.split(':').slice(5).join(':').split('/').pop() ?? roleArn;
}

/** Puts the revoke policy on the role (replacing an earlier one of the same name, whose cut-off was older). */
export async function applyRevoke(iam: IAMClient, roleArn: string, policy: object, endpoint?: string): Promise<{ roleName: string; policyName: string }> {
  const roleName = roleNameOf(roleArn);
  try {
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: JSON.stringify(policy) }));
  } catch (e) {
    if ((e as { name?: string }).name === 'CredentialsProviderError') {
      throw new AppError('REVOKE_NO_CREDENTIALS', 'No AWS administrator credentials were found to change the role.', {
        cause: e,
        details: { hint: 'Give --profile NAME (from ~/.aws/config), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or drop --apply and hand the printed policy to whoever administers the role.' },
      });
    }
    if (e instanceof NoSuchEntityException || (e as { name?: string }).name === 'NoSuchEntity') {
      throw new AppError('REVOKE_ROLE_NOT_FOUND', `The role ${roleName} does not exist in the account these admin credentials belong to.`, {
        cause: e,
        details: { hint: `Use credentials (or --profile) of the account that owns ${roleArn}.` },
      });
    }
    const err = fromAwsError(e, { operation: 'PutRolePolicy', ...(endpoint ? { endpoint } : {}) });
    if (err.code === 'AWS_ACCESS_DENIED' || err.details.awsCode === 'AccessDenied' || err.details.httpStatus === 403) {
      throw new AppError('REVOKE_NOT_ALLOWED', `These credentials may not change the role ${roleName} (iam:PutRolePolicy was refused).`, {
        cause: e,
        details: { hint: 'Run it with an administrator\'s credentials (--profile NAME or the AWS_* variables), or give the printed policy to whoever administers the role.', ...(err.details.requestId ? { requestId: err.details.requestId } : {}) },
      });
    }
    throw err;
  }
  return { roleName, policyName: REVOKE_POLICY_NAME };
}
