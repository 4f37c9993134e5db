import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compositeSha256, FileHasher } from '../../../../main/services/uploads/checksum';

const sha = (b: Buffer) => createHash('sha256').update(b).digest();

describe('FileHasher', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-hash-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('gives every part’s SHA-256 and the whole file’s from one read, part boundaries not on chunk boundaries', async () => {
    const data = randomBytes(2.5 * 1024 * 1024 + 7);
    const file = path.join(tmp, 'a.bin');
    fs.writeFileSync(file, data);
    const partSize = 1024 * 1024 + 3;
    const h = new FileHasher(file, data.length, partSize).start(new AbortController().signal);
    for (let n = 1; n <= 3; n++) {
      expect(await h.part(n)).toBe(sha(data.subarray((n - 1) * partSize, Math.min(data.length, n * partSize))).toString('base64'));
    }
    expect((await h.digest())!.toString('hex')).toBe(sha(data).toString('hex'));
  });

  it('hashes an empty file as one empty part, and skips the whole-file digest when asked', async () => {
    const file = path.join(tmp, 'empty');
    fs.writeFileSync(file, '');
    const h = new FileHasher(file, 0, 0).start(new AbortController().signal);
    expect(await h.part(1)).toBe(sha(Buffer.alloc(0)).toString('base64'));
    expect((await h.digest())!.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const data = Buffer.from('abc');
    fs.writeFileSync(path.join(tmp, 'abc'), data);
    const off = new FileHasher(path.join(tmp, 'abc'), 3, 3, false).start(new AbortController().signal);
    expect(await off.part(1)).toBe(sha(data).toString('base64'));
    expect(await off.digest()).toBeUndefined();
  });

  it('rejects every pending part when the file is shorter than expected', async () => {
    const file = path.join(tmp, 'short');
    fs.writeFileSync(file, 'abcdef');
    const h = new FileHasher(file, 10, 4).start(new AbortController().signal);
    await expect(h.part(1)).resolves.toBe(sha(Buffer.from('abcd')).toString('base64'));
    await expect(h.part(2)).rejects.toMatchObject({ code: 'EFILECHANGED' }); // EOF inside part 2
    await expect(h.part(3)).rejects.toMatchObject({ code: 'EFILECHANGED' });
    await expect(h.digest()).rejects.toMatchObject({ code: 'EFILECHANGED' });
  });
});

describe('compositeSha256', () => {
  it('is SHA-256 over the raw part digests, base64, with the part count', () => {
    const a = sha(Buffer.from('a'));
    const b = sha(Buffer.from('b'));
    expect(compositeSha256([a.toString('base64'), b.toString('base64')])).toBe(`${sha(Buffer.concat([a, b])).toString('base64')}-2`);
  });
});
