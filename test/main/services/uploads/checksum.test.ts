import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32Base64, crc32OfRange } from '../../../../main/services/uploads/checksum';

describe('crc32OfRange', () => {
  it('matches the standard CRC32 of the byte range, in S3’s base64 big-endian form', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-crc-'));
    const file = path.join(dir, 'f.txt');
    // "123456789" is CRC32's check value: 0xCBF43926.
    fs.writeFileSync(file, 'xx123456789yy');
    expect(await crc32OfRange(file, 2, 11)).toBe(Buffer.from([0xcb, 0xf4, 0x39, 0x26]).toString('base64'));
    expect(await crc32OfRange(file, 5, 5)).toBe(crc32Base64(0)); // empty range: CRC32 of nothing
    fs.rmSync(dir, { recursive: true });
  });
});
