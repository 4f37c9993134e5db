// `grantbox verify GRANT PATH... [--json]` — are these files in the bucket, and identical? Compares each file with
// the object an upload of it would have made: size, then the SHA-256 S3 stored, recomputed by streaming the file
// (objects/verify.ts). Prints one line per file as it is checked. Exit 0 when every file is there and identical,
// 1 when any differs, is missing or could not be compared, 2 on usage errors. Needs the grant's `read` permission.
import path from 'node:path';
import type { Command } from 'commander';
import type { VerifyEntry } from '../../../preload/contract';
import { action, withServices } from '../support';

const LABEL: Record<VerifyEntry['status'], string> = { identical: 'identical', differ: 'DIFFERS  ', missing: 'MISSING  ', unchecked: 'unchecked' };

export function verifyLine(e: VerifyEntry): string {
  return `${LABEL[e.status]} ${e.key || e.file}${e.reason ? ` — ${e.reason}` : ''}`;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('Check that local files are in the grant’s bucket and identical (size and SHA-256)')
    .argument('<grant>', 'grant name')
    .argument('<paths...>', 'files or folders, as they were uploaded')
    .option('--json', 'print the results as JSON')
    .action(action(async (grant: string, paths: string[], opts: { json?: boolean }, cmd: Command) => {
      return withServices(cmd, async (services) => {
        const entries = await services.objects.verify(grant, paths.map((p) => path.resolve(p)), (e) => {
          if (!opts.json) (e.status === 'identical' ? process.stdout : process.stderr).write(`${verifyLine(e)}\n`);
        });
        const count = (s: VerifyEntry['status']) => entries.filter((e) => e.status === s).length;
        if (opts.json) process.stdout.write(`${JSON.stringify({ grant, entries }, null, 2)}\n`);
        else process.stdout.write(`${count('identical')} identical, ${count('differ')} differ, ${count('missing')} missing${count('unchecked') ? `, ${count('unchecked')} could not be compared` : ''}\n`);
        return entries.every((e) => e.status === 'identical') ? 0 : 1;
      }, { assume: grant });
    }));
}
