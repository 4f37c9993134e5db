// Object key naming: grant prefix + the dropped item's relative path, made safe. Pure functions, no I/O.
// Policy (also in docs/uploads.md): names are kept as people wrote them wherever S3 and every desktop OS can carry
// them; what cannot be carried safely is changed, and the item's `note` says what changed:
//  - Unicode is kept, normalized to NFC (macOS hands us NFD; NFC keys look the same everywhere);
//  - a backslash inside a name (legal on Linux/macOS) becomes "_" — Windows tools would read it as a folder;
//  - control characters (U+0000–U+001F, U+007F–U+009F) become "_";
//  - text-direction overrides and isolates (U+202A–U+202E, U+2066–U+2069) become "_": they let a name display as
//    something else ("invoice<RLO>fdp.exe" reads "invoiceexe.pdf") to whoever browses the bucket later. Right-to-left
//    scripts do not need them (the bidi algorithm orders Hebrew or Arabic names by itself);
//  - "." and ".." segments and empty segments are dropped, so nothing can climb out of the grant's prefix;
//  - a key longer than S3's 1,024 UTF-8 bytes is refused (no silent truncation).

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

export interface KeyResult {
  key: string;
  /** The relative path actually used (POSIX separators, safe). */
  relativePath: string;
  /** Plain-language note when the name had to be changed. */
  note?: string;
}

export class UnsafeNameError extends Error {
  constructor(
    readonly reason: 'too-long' | 'empty',
    message: string,
  ) {
    super(message);
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/g;
const BIDI_CONTROL_RE = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes a relative path safe to use as the tail of a key. `segments` are the path's parts as the file system gave
 * them (so a backslash inside one is a character, not a separator).
 */
export function safeRelativePath(segments: string[]): { relativePath: string; notes: string[] } {
  const notes = new Set<string>();
  const out: string[] = [];
  for (const raw of segments) {
    let seg = raw.normalize('NFC');
    if (seg.includes('\\')) {
      seg = seg.replaceAll('\\', '_');
      notes.add('backslashes were replaced by "_"');
    }
    if (CONTROL_RE.test(seg)) {
      seg = seg.replace(CONTROL_RE, '_');
      notes.add('invisible control characters were replaced by "_"');
    }
    CONTROL_RE.lastIndex = 0;
    if (BIDI_CONTROL_RE.test(seg)) {
      seg = seg.replace(BIDI_CONTROL_RE, '_');
      notes.add('text-direction control characters were replaced by "_"');
    }
    BIDI_CONTROL_RE.lastIndex = 0;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      notes.add('".." (parent folder) parts were removed');
      continue;
    }
    out.push(seg);
  }
  return { relativePath: out.join('/'), notes: [...notes] };
}

/** key = prefix + safe relative path. Throws UnsafeNameError when no usable key can be made. */
export function makeKey(prefix: string, segments: string[], extraNotes: string[] = []): KeyResult {
  const { relativePath, notes } = safeRelativePath(segments);
  if (relativePath === '') throw new UnsafeNameError('empty', 'This item has no usable file name.');
  const key = prefix.normalize('NFC') + relativePath;
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new UnsafeNameError('too-long', `The name is too long for the storage service (over ${MAX_KEY_BYTES} bytes with its folder path).`);
  }
  const all = [...extraNotes, ...notes];
  return { key, relativePath, ...(all.length ? { note: `Name changed to be safe: ${all.join('; ')}.` } : {}) };
}

/**
 * "Keep both" name: "report.pdf" → "report (1).pdf"; "archive.tar.gz" → "archive (1).tar.gz";
 * ".env" → ".env (1)"; "folder/name" → "folder/name (1)". Only the last segment changes.
 */
export function renamedKey(key: string, n: number): string {
  const slash = key.lastIndexOf('/');
  const dir = key.slice(0, slash + 1);
  const base = key.slice(slash + 1);
  // Keep well-known double extensions together; otherwise the last dot (not a leading one) starts the extension.
  const double = /\.(tar\.(?:gz|bz2|xz|zst))$/i.exec(base);
  let dot = double ? base.length - double[0].length : base.lastIndexOf('.');
  if (dot <= 0) dot = base.length;
  return `${dir}${base.slice(0, dot)} (${n})${base.slice(dot)}`;
}
