// {var} templates (sessionName, prefix): the shared problem finder.
import { didYouMean } from '../did-you-mean';

/** Problems in a {var} template: unknown variables, stray braces, characters outside `allowed`. */
export function templateProblems(template: string, vars: readonly string[], allowedChars: RegExp | null): string[] {
  const problems: string[] = [];
  const literal = template.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    if (!vars.includes(name)) {
      const guess = didYouMean(name, vars);
      problems.push(`unknown variable {${name}}${guess ? ` (did you mean {${guess}}?)` : ''}; available: ${vars.map((v) => `{${v}}`).join(', ')}`);
    }
    return '';
  });
  if (/[{}]/.test(literal)) problems.push('has an unmatched "{" or "}"');
  if (allowedChars) {
    const bad = [...new Set(literal.replace(/[{}]/g, '').replace(allowedChars, ''))];
    if (bad.length) problems.push(`contains ${bad.map((c) => JSON.stringify(c)).join(', ')}; only letters, digits and + = , . @ _ - are allowed`);
  }
  return problems;
}
