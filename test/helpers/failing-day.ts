// A failing day, recorded the way Grantbox records it: the records below (shapes as the services write them — see
// docs/helpdesk.md's record table) go through the real SessionLog and the real helpdesk export (AuditLog.exportTo),
// so the report is read from a genuine export file. Anna's keys were rotated by IT overnight (wrong keys), her
// access ran out mid-morning, and the bucket refused an unencrypted upload; one file arrived with its receipt.
import path from 'node:path';
import { AuditLog } from '../../main/services/audit/audit-log';
import { SessionLog } from '../../main/services/audit/session-log';
import type { LogRecord } from '../../main/services/audit/types';

export const FAILING_DAY: LogRecord[] = [
  { at: '2026-12-03T08:02:11.000Z', type: 'signin.ok', arn: 'arn:aws:iam::123456789012:user/anna', account: '123456789012', userName: 'anna', verified: true, accessKeyIdLast4: '…7QXA', source: 'pasted' },
  { at: '2026-12-03T08:02:40.000Z', type: 'session.started', grant: 'hr-upload', roleArn: 'arn:aws:iam::123456789012:role/HRUpload', sessionName: 'anna-hr-upload', expiresAt: '2026-12-03T09:02:40.000Z', durationSeconds: 3600, requestId: 'a1b2-started' },
  {
    at: '2026-12-03T08:05:02.000Z',
    type: 'upload.done',
    grant: 'hr-upload',
    bucket: 'company1-hr',
    key: 'in/anna/Arbeitsvertrag Anna.pdf',
    file: 'Arbeitsvertrag Anna.pdf',
    size: 182_331,
    durationMs: 412,
    parts: 1,
    retries: 0,
    checksum: 'SHA256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    result: 'done',
    requestIds: ['REQ-PUT-1'],
    receipt: {
      grant: 'hr-upload',
      bucket: 'company1-hr',
      key: 'in/anna/Arbeitsvertrag Anna.pdf',
      file: 'Arbeitsvertrag Anna.pdf',
      size: 182_331,
      sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      checksum: { algorithm: 'SHA256', type: 'FULL_OBJECT', hex: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
      etag: '"5d41402abc4b2a76b9719d911017c592"',
      versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      serverTime: '2026-12-03T08:05:02.000Z',
      serverTimeFromS3: true,
      requestIds: ['REQ-PUT-1'],
      signedInAs: 'arn:aws:iam::123456789012:user/anna',
      userName: 'anna',
    },
  },
  { at: '2026-12-03T08:52:40.000Z', type: 'session.expiring', grant: 'hr-upload', minutesLeft: 10, expiresAt: '2026-12-03T09:02:40.000Z' },
  { at: '2026-12-03T08:55:40.000Z', type: 'session.refresh_error', grant: 'hr-upload', roleArn: 'arn:aws:iam::123456789012:role/HRUpload', code: 'KEYS_INVALID', requestId: 'c3d4-refresh', httpStatus: 403, awsCode: 'InvalidClientTokenId' },
  { at: '2026-12-03T08:55:41.000Z', type: 'session.refresh_failed', grant: 'hr-upload', code: 'KEYS_INVALID', requestId: 'c3d4-refresh', httpStatus: 403, expiresAt: '2026-12-03T09:02:40.000Z' },
  { at: '2026-12-03T09:02:40.000Z', type: 'session.expired', grant: 'hr-upload', sessionName: 'anna-hr-upload', expiresAt: '2026-12-03T09:02:40.000Z' },
  {
    at: '2026-12-03T09:03:15.000Z',
    type: 'upload.failed',
    grant: 'hr-upload',
    bucket: 'company1-hr',
    key: 'in/anna/Gehaltsabrechnung.pdf',
    file: 'Gehaltsabrechnung.pdf',
    size: 91_004,
    durationMs: 80,
    parts: 0,
    retries: 0,
    result: 'failed',
    errorCode: 'SESSION_EXPIRED',
    error: { code: 'SESSION_EXPIRED', message: 'Your access for “HR documents” has run out.', httpStatus: 400 },
    requestIds: ['REQ-PUT-2'],
  },
  { at: '2026-12-03T09:10:00.000Z', type: 'signin.failed', code: 'KEYS_INVALID', requestId: 'e5f6-signin', httpStatus: 403, accessKeyIdLast4: '…7QXA', source: 'pasted', awsCode: 'InvalidClientTokenId' },
  { at: '2026-12-03T09:21:30.000Z', type: 'signin.ok', arn: 'arn:aws:iam::123456789012:user/anna', account: '123456789012', userName: 'anna', verified: true, accessKeyIdLast4: '…N3WK', source: 'pasted' },
  { at: '2026-12-03T09:22:00.000Z', type: 'session.started', grant: 'hr-upload', roleArn: 'arn:aws:iam::123456789012:role/HRUpload', sessionName: 'anna-hr-upload', expiresAt: '2026-12-03T10:22:00.000Z', durationSeconds: 3600, requestId: 'g7h8-started' },
  {
    at: '2026-12-03T09:22:31.000Z',
    type: 'upload.failed',
    grant: 'hr-upload',
    bucket: 'company1-hr',
    key: 'in/anna/Gehaltsabrechnung.pdf',
    file: 'Gehaltsabrechnung.pdf',
    size: 91_004,
    durationMs: 95,
    parts: 0,
    retries: 0,
    result: 'failed',
    errorCode: 'S3_ENCRYPTION_REQUIRED',
    error: { code: 'S3_ENCRYPTION_REQUIRED', message: '“company1-hr” only accepts encrypted files; the grant “HR documents” must name its key — tell IT.', httpStatus: 403 },
    requestIds: ['REQ-PUT-3'],
  },
];

/** Writes FAILING_DAY through the real session log and exports it; returns the export's path. */
export async function recordFailingDay(dir: string, options: { redactFilenames?: boolean } = {}): Promise<string> {
  const log = new SessionLog({ dataDir: path.join(dir, 'data'), maxAgeDays: 3650 });
  for (const r of FAILING_DAY) await log.append(r);
  const audit = new AuditLog({
    log,
    appVersion: '0.1.0',
    now: () => Date.parse('2026-12-03T10:00:00.000Z'),
    context: async () => ({
      settings: { path: '/home/anna/.config/grantbox/settings.yaml', grantsSource: 'git', grantsLocation: 'https://git.company1.example/it/grants.git', region: 'eu-central-1', forcePathStyle: false },
      grants: { revision: '4f2c9a1', total: 3 },
      identity: { arn: 'arn:aws:iam::123456789012:user/anna', account: '123456789012', verified: true },
    }),
  });
  const file = path.join(dir, options.redactFilenames ? 'export-redacted.json' : 'export.json');
  await audit.exportTo(file, { redactFilenames: options.redactFilenames ?? false });
  return file;
}
