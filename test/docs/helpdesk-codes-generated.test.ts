// `grantbox logs report` explains codes in docs/helpdesk.md's words through a generated module
// (scripts/gen-helpdesk-codes.mjs). Codes added to the doc later only lack an explanation until it is regenerated,
// so this checks that what the module says is the doc's current text for every code it has, not that it is complete.
import fs from 'node:fs';
import path from 'node:path';
import { HELPDESK_CODES } from '../../main/services/audit/helpdesk-codes';

it('every explanation the report gives is the helpdesk doc’s current text, and the upload and session codes are there', async () => {
  const { parseHelpdeskCodes } = (await import(path.resolve(__dirname, '../../scripts/gen-helpdesk-codes.mjs'))) as { parseHelpdeskCodes: (doc: string) => Record<string, { means: string; does?: string }> };
  const fromDoc = parseHelpdeskCodes(fs.readFileSync(path.resolve(__dirname, '../../docs/helpdesk.md'), 'utf8'));
  for (const [code, explanation] of Object.entries(HELPDESK_CODES)) if (fromDoc[code]) expect(explanation, code).toEqual(fromDoc[code]);
  for (const code of ['KEYS_INVALID', 'SESSION_EXPIRED', 'CLOCK_SKEW', 'NO_NETWORK', 'TLS_UNTRUSTED', 'S3_ACCESS_DENIED', 'S3_ENCRYPTION_REQUIRED', 'UPLOAD_CHECKSUM_MISMATCH', 'GRANT_NOT_FOUND']) {
    expect(HELPDESK_CODES[code], code).toBeDefined();
  }
});
