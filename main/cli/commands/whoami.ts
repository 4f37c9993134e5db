// `grantbox whoami [--json]`: who is signed in (never keys; the access key id only as its last 4 characters).
import type { Command } from 'commander';
import { exit } from '../program';
import { printJson, withServices } from './cli-services';

export function register(program: Command): void {
  program
    .command('whoami')
    .description('Show who is signed in')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withServices(cmd, async ({ identityService }) => {
        const info = await identityService.current();
        if (opts.json) {
          printJson(info);
        } else if (!info) {
          process.stdout.write('Not signed in. Run `grantbox login`.\n');
        } else {
          process.stdout.write(
            `${info.userName}${info.account ? ` (account ${info.account})` : ''}\n` +
              `${info.arn ? `  ${info.arn}\n` : ''}` +
              `  access key …${info.accessKeyIdLast4}${info.verified ? '' : ' (not verified)'}\n` +
              `${info.note ? `  ${info.note}\n` : ''}`,
          );
        }
        if (!info) exit.code = 1;
      });
    });
}
