// What the grant allows: permissions or a sessionPolicy (exactly one), and no permission or subject listed twice.
import { rangeFor } from '../locate';
import type { GrantCheck } from './types';

export const checkPermissions: GrantCheck = ({ ctx, doc, spec }) => {
  const hasPermissions = 'permissions' in spec;
  const hasPolicy = 'sessionPolicy' in spec;
  if (hasPermissions && hasPolicy) {
    const other = rangeFor(doc, ['spec', 'permissions'], 'key');
    const otherPos = ctx.pos(other?.[0] ?? 0);
    ctx.add(
      rangeFor(doc, ['spec', 'sessionPolicy'], 'key'),
      ['spec', 'sessionPolicy'],
      'PERMISSIONS_AND_SESSION_POLICY',
      'a grant has either permissions or sessionPolicy, never both; remove one',
      'error',
      [{ file: ctx.file, line: otherPos.line, col: otherPos.col, message: 'permissions are set here' }],
    );
  } else if (!hasPermissions && !hasPolicy) {
    ctx.add(rangeFor(doc, ['spec'], 'key'), ['spec'], 'NO_PERMISSIONS', 'spec needs permissions (any of list, read, upload) or a sessionPolicy');
  }
  if (Array.isArray(spec.permissions)) {
    const seen = new Set<unknown>();
    spec.permissions.forEach((p, i) => {
      if (seen.has(p)) ctx.add(rangeFor(doc, ['spec', 'permissions', i]), ['spec', 'permissions', i], 'DUPLICATE_PERMISSION', `permission "${String(p)}" is listed twice`, 'warning');
      seen.add(p);
    });
  }
  if (Array.isArray(spec.subjects)) {
    const seen = new Set<unknown>();
    spec.subjects.forEach((s, i) => {
      if (seen.has(s)) ctx.add(rangeFor(doc, ['spec', 'subjects', i]), ['spec', 'subjects', i], 'DUPLICATE_SUBJECT', `subject ${String(s)} is listed twice`, 'warning');
      seen.add(s);
    });
  }
};
