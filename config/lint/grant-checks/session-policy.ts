// A raw sessionPolicy beyond its shape: actions and condition keys that exist (against the IAM dataset, when the
// caller prepared a catalog), no Allow with NotAction/NotResource, no s3:* on *, resources inside spec.target, and
// the multipart actions when it allows uploads. Needs a valid grant.
import { sessionPolicyFindings } from '../../iam-checks';
import { rangeFor } from '../locate';
import type { GrantCheck } from './types';

export const checkSessionPolicy: GrantCheck = ({ ctx, doc, grant, catalog }) => {
  if (!grant?.spec.sessionPolicy) return;
  for (const f of sessionPolicyFindings(grant, catalog)) ctx.add(rangeFor(doc, f.path), f.path, f.code, f.message, f.severity);
};
