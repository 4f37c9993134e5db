// `grantbox ls GRANT [PREFIX] [--json]` — the tutorial's `aws s3 ls s3://company1-hr`, through a grant: starts the
// grant's session in this process and lists what is under the grant's prefix (PREFIX is relative to it), one
// folder level at a time, every page. Needs the grant's `list` permission.
import type { Command } from 'commander';
import type { ObjectEntry } from '../../../preload/contract';
import { action, withServices } from '../support';

function when(iso: string): string {
  // aws s3 ls style: "2026-11-27 18:48:10", in local time like the aws CLI.
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return Number.isNaN(d.getTime()) ? ''.padEnd(19) : `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function register(program: Command): void {
  program
    .command('ls')
    .description('List files under the grant’s prefix in its bucket')
    .argument('<grant>', 'grant name')
    .argument('[prefix]', 'folder under the grant’s prefix, e.g. "2026/"')
    .option('--json', 'print { objects, prefixes } as JSON')
    .action(action(async (grant: string, prefix: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      return withServices(cmd, async (services) => {
        const objects: ObjectEntry[] = [];
        const prefixes: string[] = [];
        let token: string | undefined;
        do {
          const page = await services.objects.list(grant, prefix, token);
          if (opts.json) {
            objects.push(...page.objects);
            prefixes.push(...page.prefixes);
          } else {
            // Print page by page: a huge bucket shows up at once and never sits in memory.
            for (const p of page.prefixes) process.stdout.write(`${''.padStart(19)} ${'PRE'.padStart(10)} ${p}\n`);
            for (const o of page.objects) process.stdout.write(`${when(o.lastModified)} ${String(o.size).padStart(10)} ${o.key}\n`);
          }
          token = page.nextToken;
        } while (token);
        if (opts.json) process.stdout.write(`${JSON.stringify({ grant, objects, prefixes }, null, 2)}\n`);
        return 0;
      }, { assume: grant });
    }));
}
