// `grantbox upload`'s per-file lines: what a person reads after the run (the run itself is in
// test/integration/uploads-cli.test.ts against moto).
import { line } from '../../../../main/cli/commands/upload';
import type { UploadItem } from '../../../../preload/contract';

const item = (over: Partial<UploadItem>): UploadItem => ({ id: 'i', batchId: 'b', grant: 'g', relativePath: 'big.bin', key: 'big.bin', size: 10, bytesSent: 0, state: 'queued', ...over });

describe('upload lines', () => {
  it('a file cancelled by Ctrl-C says nothing was stored and what to do instead of an empty "big.bin: "', () => {
    const text = line(item({ state: 'cancelled' }));
    expect(text).toBe('cancelled big.bin: stopped before it finished. Run the same command again to send it.');
  });

  it('a failed file keeps its message, hint and request id', () => {
    const text = line(item({ state: 'failed', error: { code: 'X', message: 'It broke.', details: { hint: 'Try again.', requestId: 'r1' } } }));
    expect(text).toBe('failed    big.bin: It broke.\n          Try again.\n          request id: r1');
  });
});
