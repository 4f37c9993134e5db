import { makeKey, MAX_KEY_BYTES, renamedKey, safeRelativePath, UnsafeNameError } from '../../../../main/services/uploads/naming';

describe('safeRelativePath', () => {
  it('keeps ordinary and Unicode names, normalized to NFC', () => {
    const nfd = 'Re\u0301sume\u0301.pdf';
    const r = safeRelativePath(['Projekt ä', nfd]);
    expect(r.relativePath).toBe('Projekt ä/Résumé.pdf');
    expect(r.relativePath).toBe(r.relativePath.normalize('NFC'));
    expect(r.notes).toEqual([]);
  });

  it('replaces backslashes and control characters inside names, saying so', () => {
    const r = safeRelativePath(['a\\b.txt', 'x\u0007y\ttab.txt']);
    expect(r.relativePath).toBe('a_b.txt/x_y_tab.txt');
    expect(r.notes).toEqual(['backslashes were replaced by "_"', 'invisible control characters were replaced by "_"']);
  });

  it('replaces C1 control characters (U+0080–U+009F) like the C0 ones', () => {
    const r = safeRelativePath(['a\u0085b.txt', 'c\u009bd.txt']);
    expect(r.relativePath).toBe('a_b.txt/c_d.txt');
    expect(r.notes).toEqual(['invisible control characters were replaced by "_"']);
  });

  it('replaces text-direction overrides and isolates so a name cannot display as another (invoice<RLO>fdp.exe)', () => {
    const r = safeRelativePath(['invoice\u202efdp.exe', '\u2066x\u2069.txt']);
    expect(r.relativePath).toBe('invoice_fdp.exe/_x_.txt');
    expect(r.notes).toEqual(['text-direction control characters were replaced by "_"']);
    // Right-to-left names themselves are kept as written.
    expect(safeRelativePath(['שלום.txt', 'مرحبا.pdf'])).toEqual({ relativePath: 'שלום.txt/مرحبا.pdf', notes: [] });
  });

  it('drops ".", ".." and empty segments so nothing climbs out of the prefix', () => {
    const r = safeRelativePath(['..', 'a', '.', '', '..', 'b.txt']);
    expect(r.relativePath).toBe('a/b.txt');
    expect(r.notes).toEqual(['".." (parent folder) parts were removed']);
  });
});

describe('makeKey', () => {
  it('is prefix + relative path, with a note only when something changed', () => {
    expect(makeKey('uploads/john/', ['Folder', 'a.txt'])).toEqual({ key: 'uploads/john/Folder/a.txt', relativePath: 'Folder/a.txt' });
    expect(makeKey('', ['..', 'a\\b'])).toEqual({
      key: 'a_b',
      relativePath: 'a_b',
      note: 'Name changed to be safe: ".." (parent folder) parts were removed; backslashes were replaced by "_".',
    });
  });

  it('refuses names with nothing usable and keys over 1,024 UTF-8 bytes (no silent truncation)', () => {
    expect(() => makeKey('p/', ['..', '.'])).toThrow(UnsafeNameError);
    const long = 'ä'.repeat(MAX_KEY_BYTES / 2); // 2 bytes each: exactly at the limit with no prefix
    expect(makeKey('', [long]).key).toBe(long);
    expect(() => makeKey('x', [long])).toThrow(/too long/);
  });
});

describe('renamedKey ("keep both")', () => {
  it.each([
    ['report.pdf', 1, 'report (1).pdf'],
    ['dir/sub/report.pdf', 2, 'dir/sub/report (2).pdf'],
    ['archive.tar.gz', 1, 'archive (1).tar.gz'],
    ['.env', 1, '.env (1)'],
    ['README', 3, 'README (3)'],
    ['dir.v2/file', 1, 'dir.v2/file (1)'],
    ['a.b.c.txt', 1, 'a.b.c (1).txt'],
  ])('%s → %s', (key, n, expected) => {
    expect(renamedKey(key, n)).toBe(expected);
  });
});
