// `grantbox assume GRANT [--json]`: starts a session to check access works; prints the summary and expiry, never
// credentials (use `grantbox exec` to run a command with them).
import type { Command } from 'commander';
import { action, formatExpiry, printJson, terminalMfaPrompt, withServices } from '../support';

export function register(program: Command): void {
  program
    .command('assume')
    .description('Start a session for a grant and show its summary and expiry (no secrets are printed)')
    .argument('<grant>', 'the grant name')
    .option('--json', 'print JSON')
    .action(action(async (grant: string, opts: { json?: boolean }, cmd: Command) => {
      await withServices(cmd, async ({ sessions, identity, grants }) => {
        const info = await sessions.assume(grant, { mfaPrompt: terminalMfaPrompt });
        if (opts.json) return printJson(info);
        const me = await identity.current();
        const target = me ? grants.resolvedFor(grant, me) : undefined;
        process.stdout.write(
          `Access to “${info.grantTitle}” (${info.grant}) works.\n` +
            `  role:     ${info.roleArn}\n` +
            `  session:  ${info.sessionName}${info.sourceIdentity ? ` (source identity ${info.sourceIdentity})` : ''}\n` +
            `  expires:  ${formatExpiry(info.expiresAt)}\n` +
            `Run a command with it: grantbox exec ${info.grant} -- aws s3 cp FILE s3://${target ? `${target.bucket}/${target.prefix}` : '…/'}\n`,
        );
      });
    }));
}
