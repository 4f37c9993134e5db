// An independent IAM evaluator for the tests: @cloud-copilot/iam-simulate (a maintained simulator that also checks
// actions, resource types and context keys against its IAM dataset). A request the simulator refuses to evaluate
// (invalid policy, unknown action, wrong resource type) fails the test instead of counting as a deny.
import { runSimulation } from '@cloud-copilot/iam-simulate';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface SimRequest {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  /** Default: a session of the tutorial's role. */
  principal?: string;
  account?: string;
}

export interface SimPolicies {
  /** Policies attached to the principal (for a role session: the role's permission policies). */
  identity?: object[];
  /** The inline session policy passed to AssumeRole, if any. */
  session?: object;
  /** A resource policy (for sts:AssumeRole: the role's trust policy). */
  resource?: object;
}

export const ACCOUNT = '629470240201';
export const SESSION_PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/JohnUploadRole/john-hr-upload`;

export async function decide(req: SimRequest, policies: SimPolicies): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: req.principal ?? SESSION_PRINCIPAL,
        action: req.action,
        resource: { resource: req.resource, accountId: req.account ?? ACCOUNT },
        contextVariables: req.context ?? {},
      },
      identityPolicies: (policies.identity ?? []).map((policy, i) => ({ name: `identity${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(policies.session ? { sessionPolicy: policies.session } : {}),
      ...(policies.resource ? { resourcePolicy: policies.resource } : {}),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`iam-simulate refused ${req.action} ${req.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

export const allowed = async (req: SimRequest, policies: SimPolicies) => (await decide(req, policies)) === 'Allowed';

/** A role that allows all of S3, to see what a session policy alone permits. */
export const ALL_S3: object = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
