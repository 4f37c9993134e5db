// `grantbox logs report` explains codes with docs/helpdesk.md's words through a generated module: it must be current.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

it('main/services/audit/helpdesk-codes.ts matches docs/helpdesk.md (npm run helpdesk-codes)', () => {
  expect(() => execFileSync(process.execPath, [path.resolve(__dirname, '../../scripts/gen-helpdesk-codes.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
});
