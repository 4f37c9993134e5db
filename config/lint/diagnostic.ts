// What the config linter reports: a problem at file:line:col with a stable code, and the input it reads.
export interface SourceFile {
  path: string;
  text: string;
  /**
   * Set by a reader that refused the file (too large, unreadable, too many files): the loader reports it as a
   * diagnostic instead of parsing `text`.
   */
  problem?: Diagnostic;
}

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  endLine?: number;
  endCol?: number;
  /** Where in the document, e.g. ["spec", "role", "arn"]. */
  path: (string | number)[];
  /** Stable SCREAMING_SNAKE code (docs/grant-format.md lists them). */
  code: string;
  severity: 'error' | 'warning';
  message: string;
  related?: { file: string; line: number; col: number; message: string }[];
}

/** Where in a document, e.g. ["spec", "role", "arn"]. */
export type Path = (string | number)[];

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}
