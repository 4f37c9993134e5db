// Output: diagnostics printed as text, JSON or GitHub workflow annotations.
import type { Diagnostic } from './diagnostic';

function escapeGithubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeGithubProperty(s: string): string {
  return escapeGithubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * text: `path:line:col: error CODE message` (related places as indented `note` lines);
 * github: workflow commands that annotate the pull request; json: the diagnostics array.
 */
export function formatDiagnostics(ds: Diagnostic[], format: 'text' | 'json' | 'github'): string {
  if (format === 'json') return JSON.stringify(ds, null, 2);
  if (format === 'github') {
    return ds
      .map((d) => {
        const props = [`file=${escapeGithubProperty(d.file)}`, `line=${d.line}`, `col=${d.col}`];
        if (d.endLine !== undefined) props.push(`endLine=${d.endLine}`);
        if (d.endCol !== undefined && d.endLine === d.line) props.push(`endColumn=${d.endCol}`);
        props.push(`title=${escapeGithubProperty(d.code)}`);
        const related = d.related?.length ? '\n' + d.related.map((r) => `${r.file}:${r.line}:${r.col}: ${r.message}`).join('\n') : '';
        return `::${d.severity} ${props.join(',')}::${escapeGithubData(d.message + related)}`;
      })
      .join('\n');
  }
  return ds
    .map((d) => {
      const head = `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code} ${d.message}`;
      return [head, ...(d.related ?? []).map((r) => `  ${r.file}:${r.line}:${r.col}: note ${r.message}`)].join('\n');
    })
    .join('\n');
}
