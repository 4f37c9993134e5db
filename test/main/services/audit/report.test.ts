import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildReport, readExport, renderHtml, renderText, reportFromExport } from '../../../../main/services/audit/report';
import { HELPDESK_CODES } from '../../../../main/services/audit/helpdesk-codes';
import { FAILING_DAY, recordFailingDay } from '../../../helpers/failing-day';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-report-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the report of a failing day', () => {
  it('reads every record of a real export and names each cause first, with the helpdesk doc’s advice', async () => {
    const file = await recordFailingDay(path.join(tmp, 'a'));
    const report = await reportFromExport(file);
    expect(report.counts).toMatchObject({ records: FAILING_DAY.length, signIns: 2, sessionsStarted: 2, uploadsDone: 1, uploadsFailed: 2 });
    expect(report.causes.map((c) => c.id)).toEqual(['wrong-keys', 'session-expired', 'bucket-refused']);
    const [keys, expired, bucket] = report.causes;
    expect(keys!.title).toBe('Wrong or deactivated access keys since 2026-12-03 08:55:40 UTC — AWS refused the keys 3 times.');
    expect(keys!.advice).toBe(HELPDESK_CODES.KEYS_INVALID!.does);
    expect(expired!.title).toBe('The access ran out at 2026-12-03 09:02:40 UTC (“hr-upload”) and was not renewed.');
    expect(bucket!.title).toBe('The bucket refused uploads since 2026-12-03 09:22:31 UTC: it only accepts encrypted files and the grant names no key.');
    const text = renderText(report);
    expect(text.indexOf('Likely cause')).toBeLessThan(text.indexOf('Timeline'));
    // Errors in plain words with the doc's explanation; the upload with its receipt.
    expect(text).toContain(`Usually means: ${HELPDESK_CODES.S3_ENCRYPTION_REQUIRED!.means}`);
    expect(text).toContain('sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
    expect(text).toContain('version 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY');
    expect(text).toMatch(/2026-12-03 08:02:40 UTC {2}session {2}Access started for “hr-upload”, until 09:02 UTC/);
  });

  it('keeps hidden names hidden (an export with --redact-filenames), in text and HTML', async () => {
    const file = await recordFailingDay(path.join(tmp, 'b'), { redactFilenames: true });
    const report = await reportFromExport(file);
    expect(report.head.redactedFilenames).toBe(true);
    for (const out of [renderText(report), renderHtml(report)]) {
      expect(out).not.toContain('Arbeitsvertrag');
      expect(out).not.toContain('Gehaltsabrechnung');
      expect(out).toContain('.pdf'); // hashed names keep their extension
    }
    expect(renderHtml(report)).toContain('file names hidden');
  });

  it('the HTML is one self-contained page: no script, nothing loaded from anywhere, text escaped', () => {
    const report = buildReport({ format: 'grantbox-helpdesk-export', createdAt: '2026-12-03T10:00:00Z' }, [
      { at: '2026-12-03T09:00:00Z', type: 'upload.failed', file: '<img src=x onerror=alert(1)>.pdf', errorCode: 'UPLOAD_TOO_LARGE', error: { code: 'UPLOAD_TOO_LARGE', message: 'too big' } },
    ]);
    const html = renderHtml(report);
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
    expect(html).not.toMatch(/\b(src|href|action)\s*=\s*["']|@import|url\(/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.pdf');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('says so when nothing went wrong, and refuses a file that is not an export', async () => {
    expect(renderText(buildReport({ format: 'grantbox-helpdesk-export' }, [{ at: '2026-12-03T09:00:00Z', type: 'signin.ok', userName: 'anna' }]))).toContain('Nothing went wrong in this export.');
    const bad = path.join(tmp, 'not-export.json');
    fs.writeFileSync(bad, '{"hello": 1}\n');
    await expect(readExport(bad, () => undefined)).rejects.toMatchObject({ code: 'REPORT_NOT_AN_EXPORT' });
    await expect(readExport(path.join(tmp, 'missing.json'), () => undefined)).rejects.toMatchObject({ code: 'REPORT_NOT_AN_EXPORT' });
  });
});
