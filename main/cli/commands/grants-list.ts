// `grantbox grants list [--json]`: the grants the signed-in person may use, resolved for them.
import type { Command } from 'commander';
import { AppError } from '../../services/errors';
import { grantsCommand } from './grants';
import { action, printJson, withServices } from '../support';

function duration(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

export function register(program: Command): void {
  grantsCommand(program)
    .command('list')
    .description('List the grants you may use (signed in)')
    .option('--json', 'print JSON')
    .action(action(async (opts: { json?: boolean }, cmd: Command) => {
      await withServices(cmd, async ({ identity, grants }) => {
        const me = await identity.current();
        if (!me) throw new AppError('NOT_SIGNED_IN', 'You are not signed in.', { details: { hint: 'Run `grantbox login` first.' } });
        const mine = grants.forMe(me);
        // Broken grant files are left out of the list: say so on stderr, or a missing grant looks like no access.
        const notice = grants.status().notice;
        if (notice) process.stderr.write(`Note: ${notice}\n`);
        if (opts.json) return printJson(mine);
        if (mine.length === 0) {
          const status = grants.status();
          process.stdout.write(`No grants for ${me.userName} (${status.total} grant${status.total === 1 ? '' : 's'} in ${status.location}).\n`);
          return;
        }
        for (const g of mine) {
          process.stdout.write(
            `${g.name}  ${g.title}\n  s3://${g.bucket}/${g.prefix}  ${g.permissions.join(', ') || 'custom policy'}  ${duration(g.durationSeconds)}${g.mfa ? '  MFA' : ''}${g.contact ? `  contact: ${g.contact}` : ''}${g.serviceDecides ? '\n  (the service will decide: Grantbox cannot tell whether this grant names you)' : ''}\n`,
          );
        }
      });
    }));
}
