// `grantbox login [--profile NAME] [--access-key-id ID]`: sign in once. The secret comes from stdin when piped or
// a hidden prompt — never from argv — and is verified with AWS before it is stored in the OS keychain.
// With company sign-in in the settings (signIn.method oidc/identityCenter), `grantbox login` opens the company's
// sign-in page in the default browser (printing the link when none opens) and `grantbox login --device` uses the
// device flow for headless machines: it needs no input, prints the link and the code on stdout, and exits 0 once
// signed in. Ctrl-C cancels and stores nothing.
import type { Command } from 'commander';
import { AppError } from '../../services/errors';
import type { IdentityService } from '../../services/services';
import { action, promptLine, readSecret, withServices } from '../support';

export function register(program: Command): void {
  program
    .command('login')
    .description('Sign in with your AWS access key (verified with AWS, then kept in the OS keychain)')
    .option('--profile <name>', 'import the keys of this AWS CLI profile (~/.aws/credentials or $AWS_SHARED_CREDENTIALS_FILE)')
    .option('--access-key-id <id>', 'your access key id; the secret is read from stdin or asked for without echo')
    .option('--user-name <name>', 'name to show when the service cannot say who the keys belong to')
    .option('--arn <arn>', 'your user ARN, used only when the service cannot say who the keys belong to (S3-compatible STS)')
    .option('--device', 'company sign-in on a machine without a browser: prints a link and a code to approve elsewhere')
    .action(action(async (opts: { profile?: string; accessKeyId?: string; userName?: string; arn?: string; device?: boolean }, cmd: Command) => {
      if (opts.profile && opts.accessKeyId) {
        throw new AppError('CLI_USAGE', 'Use either --profile or --access-key-id, not both.');
      }
      await withServices(cmd, async ({ identity }) => {
        const method = identity.summary();
        if (method.method !== 'accessKey' && !opts.profile && !opts.accessKeyId) {
          await companySignIn(identity, method.name, Boolean(opts.device));
          return;
        }
        if (opts.device) {
          throw new AppError('CLI_USAGE', '--device is for company sign-in, and this computer signs in with an AWS access key.', {
            details: { hint: 'Run `grantbox login` and give your access key, or ask IT to set up company sign-in (signIn in the settings).' },
          });
        }
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

/** Browser or device sign-in with the company's provider; the link goes to stdout whenever the person must open it. */
async function companySignIn(identity: IdentityService, name: string, device: boolean): Promise<void> {
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const info = await identity.signInInteractive({
      device,
      signal: ac.signal,
      onLink: (link) => {
        if (device) {
          process.stdout.write(
            link.userCode && link.url !== link.verificationUri
              ? `To sign in with ${name}, open this link on any device and check that it shows the code ${link.userCode}:\n  ${link.url}\n`
              : `To sign in with ${name}, open ${link.verificationUri ?? link.url} on any device and enter the code ${link.userCode ?? ''}\n`,
          );
          process.stdout.write('Waiting for you to approve…\n');
        } else if (link.opened) {
          process.stderr.write(`Finish signing in with ${name} in your browser… (if no page opened, open this link: ${link.url})\n`);
        } else {
          process.stdout.write(`Open this link in your browser to sign in with ${name}:\n  ${link.url}\n`);
          process.stderr.write('Waiting for you to finish signing in… (Ctrl-C cancels)\n');
        }
      },
    });
    const groups = info.groups?.length ? ` — groups: ${info.groups.join(', ')}` : '';
    process.stdout.write(`Signed in as ${info.userName} (${info.provider ?? name})${groups}.\n`);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
