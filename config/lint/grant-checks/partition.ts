// Subjects, role and region in one AWS partition (aws, aws-cn, aws-us-gov…): a role trusts no principal of another
// partition and a region's STS knows only its own, so a mix fails every session. Also: a role subject with a
// per-person folder (it picks its own {user}). Needs a valid grant.
import { partitionFindings, roleSubjectFindings } from '../../iam-checks';
import { rangeFor } from '../locate';
import type { GrantCheck } from './types';

export const checkPartition: GrantCheck = ({ ctx, doc, grant }) => {
  if (!grant) return;
  for (const f of [...partitionFindings(grant), ...roleSubjectFindings(grant)]) ctx.add(rangeFor(doc, f.path), f.path, f.code, f.message, f.severity);
};
