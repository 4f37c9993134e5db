import { S3ServiceException } from '@aws-sdk/client-s3';
import { compositeCrc32, isConditionalConflict, isPreconditionFailed, isTransient, withRetry } from '../../../../main/services/uploads/transfer';

function awsError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
}

describe('isTransient', () => {
  it.each([
    ['5xx', awsError('InternalError', 500), true],
    ['503 SlowDown', awsError('SlowDown', 503), true],
    ['429', awsError('TooManyRequests', 429), true],
    ['RequestTimeout (400)', awsError('RequestTimeout', 400), true],
    ['ExpiredToken (the provider refreshes)', awsError('ExpiredToken', 400), true],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    ['socket hang up', new Error('socket hang up'), true],
    ['AccessDenied', awsError('AccessDenied', 403), false],
    ['412', awsError('PreconditionFailed', 412), false],
    ['AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' }), false],
    ['a file error', Object.assign(new Error('ENOENT'), { code: 'ENOENT', syscall: 'open' }), false],
  ])('%s → %s', (_label, e, expected) => {
    expect(isTransient(e)).toBe(expected);
  });

  it('tells 412 and 409 apart', () => {
    expect(isPreconditionFailed(awsError('PreconditionFailed', 412))).toBe(true);
    expect(isConditionalConflict(awsError('ConditionalRequestConflict', 409))).toBe(true);
    expect(isConditionalConflict(awsError('BucketAlreadyExists', 409))).toBe(false);
  });
});

describe('withRetry', () => {
  const options = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

  it('retries transient failures and returns the first success', async () => {
    let n = 0;
    const retries: unknown[] = [];
    const out = await withRetry(
      async (attempt) => {
        n++;
        if (attempt < 3) throw awsError('InternalError', 500);
        return 'ok';
      },
      options,
      new AbortController().signal,
      (e) => retries.push(e),
    );
    expect(out).toBe('ok');
    expect(n).toBe(3);
    expect(retries).toHaveLength(2);
  });

  it('stops at once on a refusal, and when aborted during the backoff', async () => {
    let n = 0;
    await expect(withRetry(async () => (n++, Promise.reject(awsError('AccessDenied', 403))), options, new AbortController().signal, () => undefined)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(n).toBe(1);
    const ctl = new AbortController();
    const p = withRetry(async () => Promise.reject(awsError('InternalError', 500)), { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, ctl.signal, () => ctl.abort(new Error('cancelled')));
    await expect(p).rejects.toThrow('cancelled');
  });
});

describe('compositeCrc32', () => {
  it('is the CRC32 of the parts’ raw CRC32s, with the part count — S3’s multipart checksum', () => {
    // Part checksums whose raw bytes are "1234" and "5678": the composite is CRC32("12345678") = 0x9AE0DAAF.
    expect(
      compositeCrc32([
        { partNumber: 1, etag: 'a', size: 1, checksumCRC32: Buffer.from('1234').toString('base64') },
        { partNumber: 2, etag: 'b', size: 1, checksumCRC32: Buffer.from('5678').toString('base64') },
      ]),
    ).toBe('muDarw==-2');
    expect(compositeCrc32([{ partNumber: 1, etag: 'a', size: 1 }])).toBeUndefined();
  });
});
