// target.prefix: one folder, no wildcards or IAM variables, within S3's key length (counted in UTF-8 bytes), and a
// {user} folder closed by "/" (the byte and open-variable rules are shared with the IAM kit in config/iam-checks.ts).
import { prefixFindings } from '../../iam-checks';
import { TEMPLATE_VARS } from '../../schema';
import { isRecord } from '../diagnostic';
import { rangeFor } from '../locate';
import { templateProblems } from './template';
import type { GrantCheck } from './types';

export const checkPrefix: GrantCheck = ({ ctx, doc, spec }) => {
  const target = isRecord(spec.target) ? spec.target : undefined;
  if (typeof target?.prefix === 'string') {
    const prefix = target.prefix;
    const at = rangeFor(doc, ['spec', 'target', 'prefix']);
    const path = ['spec', 'target', 'prefix'];
    if (/[*?]/.test(prefix)) {
      ctx.add(at, path, 'INVALID_PREFIX', `prefix "${prefix}" contains "*" or "?", which IAM treats as wildcards and would widen access beyond one folder`);
    }
    if (prefix.includes('$')) {
      ctx.add(at, path, 'INVALID_PREFIX', `prefix "${prefix}" contains "$"; IAM policy variables such as \${aws:username} are not allowed, use {user}`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(prefix)) ctx.add(at, path, 'INVALID_PREFIX', 'prefix contains control characters');
    if (!prefix.includes('$')) for (const p of templateProblems(prefix, TEMPLATE_VARS, null)) ctx.add(at, path, 'INVALID_PREFIX', `prefix "${prefix}" ${p}`);
    const findings = prefixFindings(prefix);
    for (const f of findings) ctx.add(at, f.path, f.code, f.message, f.severity);
    if (prefix.startsWith('/')) ctx.add(at, path, 'PREFIX_LEADING_SLASH', `prefix "${prefix}" starts with "/": S3 keys would begin with an empty folder name; remove the leading "/"`, 'warning');
    if (prefix !== '' && !prefix.endsWith('/') && !/[*?$]/.test(prefix) && !findings.some((f) => f.code === 'PREFIX_VARIABLE_OPEN')) {
      ctx.add(at, path, 'PREFIX_NO_TRAILING_SLASH', `prefix "${prefix}" does not end with "/": it also matches keys like "${prefix}-other"; end it with "/" to scope one folder`, 'warning');
    }
  }
};
