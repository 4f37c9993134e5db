// role.sessionName: a template STS accepts once its variables are filled in.
import { TEMPLATE_VARS } from '../../schema';
import { isRecord } from '../diagnostic';
import { rangeFor } from '../locate';
import { templateProblems } from './template';
import type { GrantCheck } from './types';

export const checkSessionName: GrantCheck = ({ ctx, doc, spec }) => {
  const role = isRecord(spec.role) ? spec.role : undefined;
  if (typeof role?.sessionName === 'string') {
    const t = role.sessionName;
    const problems = templateProblems(t, TEMPLATE_VARS, /[\w+=,.@-]/g);
    const literalLength = t.replace(/\{[^{}]*\}/g, '').length;
    const hasVars = /\{[^{}]*\}/.test(t);
    if (literalLength > 64) problems.push(`is ${literalLength} characters before any variable is filled in; a session name is at most 64`);
    if (!hasVars && literalLength < 2) problems.push('must be at least 2 characters');
    for (const p of problems) ctx.add(rangeFor(doc, ['spec', 'role', 'sessionName']), ['spec', 'role', 'sessionName'], 'INVALID_SESSION_NAME', `sessionName "${t}" ${p}`);
  }
};
