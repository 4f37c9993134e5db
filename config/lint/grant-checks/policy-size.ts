// The generated session policy's size for the longest possible user name, against STS's limit. Needs a valid grant.
import { SESSION_POLICY_MAX_CHARS } from '../../schema';
import { WORST_CASE_VARS, buildSessionPolicy, policyText } from '../../policy';
import { rangeFor } from '../locate';
import type { GrantCheck } from './types';

export const checkPolicySize: GrantCheck = ({ ctx, doc, grant }) => {
  if (!grant) return;
  let size: number;
  try {
    // Counted on the text STS gets: characters above U+00FF as \uXXXX escapes (6 characters each).
    size = policyText(buildSessionPolicy(grant, WORST_CASE_VARS)).length;
  } catch {
    return; // the prefix problems were already reported by the semantic checks
  }
  if (size > SESSION_POLICY_MAX_CHARS) {
    const path = grant.spec.sessionPolicy ? ['spec', 'sessionPolicy'] : grant.spec.target.prefix ? ['spec', 'target', 'prefix'] : ['spec', 'permissions'];
    const how = grant.spec.sessionPolicy ? 'simplify the sessionPolicy' : 'shorten the prefix or the bucket name';
    ctx.add(
      rangeFor(doc, path, grant.spec.sessionPolicy ? 'key' : 'value'),
      path,
      'POLICY_TOO_LARGE',
      `the session policy is ${size} characters (size ${size} / ${SESSION_POLICY_MAX_CHARS}, counted with a 64-character user name); STS accepts at most ${SESSION_POLICY_MAX_CHARS}: ${how}`,
    );
  }
};
