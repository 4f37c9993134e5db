// Pack checks from object headers: sizes are read before anything is inflated, and an entry that inflates past what
// its header states is refused rather than trusted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { GitClone } from '../../../../main/services/grants/git-clone';
import { MAX_OBJECT_BYTES, MAX_PACK_BYTES, checkPack } from '../../../../main/services/grants/git-objects';

/** A pack entry header: type and size as git encodes them. */
function header(type: number, size: number): Buffer {
  const bytes = [((type & 7) << 4) | (size & 15)];
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes[bytes.length - 1]! |= 0x80;
    bytes.push(rest & 0x7f);
    rest = Math.floor(rest / 128);
  }
  return Buffer.from(bytes);
}

function pack(entries: Buffer[]): Buffer {
  const head = Buffer.alloc(12);
  head.write('PACK', 0, 'latin1');
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(entries.length, 8);
  return Buffer.concat([head, ...entries, Buffer.alloc(20)]);
}

describe('checkPack', () => {
  it('accepts small objects and deltas', () => {
    const blob = Buffer.from('hello grants\n');
    const delta = Buffer.from([blob.length, 5, 0x05, ...Buffer.from('hello')]); // base size, result size, insert 5
    expect(() =>
      checkPack(pack([Buffer.concat([header(3, blob.length), zlib.deflateSync(blob)]), Buffer.concat([header(6, delta.length), Buffer.from([0x10]), zlib.deflateSync(delta)])])),
    ).not.toThrow();
  });

  it('refuses an object whose header states more than the limit, without inflating it', () => {
    // The "compressed data" is not even zlib: the header alone decides.
    expect(() => checkPack(pack([Buffer.concat([header(3, 256 * 1024 * 1024), Buffer.alloc(64)])]))).toThrow(expect.objectContaining({ code: 'GIT_OBJECT_TOO_LARGE' }));
  });

  it('refuses a delta that would produce an object over the limit', () => {
    const d = Buffer.from([3, 0x80, 0x80, 0x80, 0x80, 0x08]); // base size 3, result size 2^31
    expect(() => checkPack(pack([Buffer.concat([header(7, d.length), Buffer.alloc(20), zlib.deflateSync(d)])]))).toThrow(expect.objectContaining({ code: 'GIT_OBJECT_TOO_LARGE' }));
  });

  it('refuses an entry that inflates past the size its header states (output capped at the stated size)', () => {
    const body = zlib.deflateSync(Buffer.alloc(MAX_OBJECT_BYTES * 4));
    expect(() => checkPack(pack([Buffer.concat([header(3, 100), body])]))).toThrow(expect.objectContaining({ code: 'GIT_OBJECT_TOO_LARGE' }));
  });

  it('refuses a pack over the pack limit and anything that is not a pack', () => {
    expect(() => checkPack(new Uint8Array(MAX_PACK_BYTES + 1))).toThrow(expect.objectContaining({ code: 'GIT_PACK_TOO_LARGE' }));
    expect(() => checkPack(Buffer.from('not a pack at all, not at all.......'))).toThrow(expect.objectContaining({ code: 'GIT_PACK_INVALID' }));
  });
});

describe('the fetch stops reading a response past the pack limit', () => {
  it('GIT_PACK_TOO_LARGE after about MAX_PACK_BYTES, however much the server would send', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-pack-'));
    let sent = 0;
    const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
    const oid = 'a'.repeat(40);
    const advert = Buffer.from(`${pkt('# service=git-upload-pack\n')}0000${pkt(`${oid} HEAD\0side-band-64k symref=HEAD:refs/heads/main\n`)}${pkt(`${oid} refs/heads/main\n`)}0000`);
    // Pack data on side band 1, forever: 65520-byte pkt-lines.
    const line = Buffer.concat([Buffer.from('fff0\x01', 'latin1'), Buffer.alloc(0xfff0 - 5)]);
    const http = {
      request: async (req: { method?: string; url: string }) => ({
        url: req.url,
        method: req.method ?? 'GET',
        statusCode: 200,
        statusMessage: 'OK',
        headers: { 'content-type': req.method === 'POST' ? 'application/x-git-upload-pack-result' : 'application/x-git-upload-pack-advertisement' },
        body:
          req.method === 'POST'
            ? (async function* () {
                yield Buffer.from('0008NAK\n');
                for (;;) {
                  sent += line.byteLength;
                  yield line;
                }
              })()
            : (async function* () {
                yield advert;
              })(),
      }),
    };
    try {
      await expect(new GitClone({ url: 'https://git.example.com/g.git', dataDir, http: http as never }).fetchLatest()).rejects.toMatchObject({ code: 'GIT_PACK_TOO_LARGE' });
      expect(sent).toBeLessThanOrEqual(MAX_PACK_BYTES + 2 * 1024 * 1024);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
