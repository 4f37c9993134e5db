// `grantbox login [--profile NAME] [--access-key-id ID]`: sign in once. The secret comes from stdin when piped or
// a hidden prompt — never from argv — and is verified with AWS before it is stored in the OS keychain.
import type { Command } from 'commander';
import { AppError } from '../../services/errors';
import { action, promptLine, readSecret, withServices } from '../support';

export function register(program: Command): void {
  program
    .command('login')
    .description('Sign in with your AWS access key (verified with AWS, then kept in the OS keychain)')
    .option('--profile <name>', 'import the keys of this AWS CLI profile (~/.aws/credentials or $AWS_SHARED_CREDENTIALS_FILE)')
    .option('--access-key-id <id>', 'your access key id; the secret is read from stdin or asked for without echo')
    .option('--user-name <name>', 'name to show when the service cannot say who the keys belong to')
    .option('--arn <arn>', 'your user ARN, used only when the service cannot say who the keys belong to (S3-compatible STS)')
    .action(action(async (opts: { profile?: string; accessKeyId?: string; userName?: string; arn?: string }, cmd: Command) => {
      if (opts.profile && opts.accessKeyId) {
        throw new AppError('CLI_USAGE', 'Use either --profile or --access-key-id, not both.');
      }
      await withServices(cmd, async ({ identity }) => {
        let info;
        if (opts.profile) {
          info = await identity.signInWithProfile(opts.profile, { ...(opts.userName ? { userName: opts.userName } : {}), ...(opts.arn ? { arn: opts.arn } : {}) });
        } else {
          const accessKeyId = opts.accessKeyId ?? (process.stdin.isTTY ? await promptLine('Access key ID: ') : undefined);
          if (!accessKeyId) {
            throw new AppError('CLI_USAGE', 'Give the access key id with --access-key-id when the secret is piped in.', {
              details: { hint: 'Example: grantbox login --access-key-id AKIA… < secret.txt' },
            });
          }
          const secret = await readSecret('Secret access key (not shown): ');
          info = await identity.signIn(accessKeyId, secret, { ...(opts.userName ? { userName: opts.userName } : {}), ...(opts.arn ? { arn: opts.arn } : {}) });
        }
        const account = info.account ? `, account ${info.account}` : '';
        process.stdout.write(`Signed in as ${info.userName}${account}.\n`);
        if (!info.verified && info.note) process.stdout.write(`Note: ${info.note}\n`);
      });
    }));
}
