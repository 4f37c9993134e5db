// `grantbox whoami [--json]`: who is signed in (never keys; the access key id only as its last 4 characters).
import type { Command } from 'commander';
import { action, printJson, withServices } from '../support';

export function register(program: Command): void {
  program
    .command('whoami')
    .description('Show who is signed in')
    .option('--json', 'print JSON')
    .action(action(async (opts: { json?: boolean }, cmd: Command) => {
      return withServices(cmd, async ({ identity }) => {
        const info = await identity.current();
        if (opts.json) {
          printJson(info);
        } else if (!info) {
          process.stdout.write('Not signed in. Run `grantbox login`.\n');
        } else if (info.method) {
          // Company sign-in: user, groups, provider and when.
          process.stdout.write(
            `${info.userName}\n` +
              `  signed in with ${info.provider ?? 'your company'} (${info.method === 'oidc' ? 'OpenID Connect' : 'IAM Identity Center'})${info.signedInAt ? ` at ${info.signedInAt}` : ''}\n` +
              `  groups: ${info.groups?.length ? info.groups.join(', ') : '(none)'}\n`,
          );
        } else {
          process.stdout.write(
            `${info.userName}${info.account ? ` (account ${info.account})` : ''}\n` +
              `${info.arn ? `  ${info.arn}\n` : ''}` +
              `  access key …${info.accessKeyIdLast4}${info.verified ? '' : ' (not verified)'}\n` +
              `${info.note ? `  ${info.note}\n` : ''}`,
          );
        }
        return info ? 0 : 1;
      });
    }));
}
