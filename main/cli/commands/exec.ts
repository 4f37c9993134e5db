// `grantbox exec GRANT -- COMMAND...`: the tutorial's steps 5–6 without pasting secrets. Starts a session and runs
// COMMAND with the session's credentials, region and endpoint in ITS environment only (never printed, never in
// our own process.env); its exit code is passed through.
//
// The credentials are fixed when COMMAND starts and last the grant's duration; a command that runs longer needs a
// new `exec` (environment variables cannot be refreshed from outside the process).
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Command } from 'commander';
import { AppError } from '../../services/errors';
import { action, terminalMfaPrompt, withServices } from '../support';

/** Variables that would make AWS tools ignore the injected credentials (botocore skips env keys when a profile is named). */
const SHADOWING_VARS = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];

export function register(program: Command): void {
  program
    .command('exec')
    .description('Run a command with a grant\'s temporary credentials in its environment, e.g. grantbox exec hr-upload -- aws s3 cp file.txt s3://company1-hr/')
    .argument('<grant>', 'the grant name')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .action(action(async (grant: string, command: string[], _opts: unknown, cmd: Command) => {
      return withServices(cmd, async ({ sessions, clients, identity, grants }) => {
        const info = await sessions.assume(grant, { mfaPrompt: terminalMfaPrompt });
        const creds = await sessions.credentialProvider(grant)();
        const me = await identity.current();
        const region = me ? grants.resolvedFor(grant, me).region : clients.aws.region;
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const name of SHADOWING_VARS) delete env[name];
        Object.assign(env, {
          AWS_ACCESS_KEY_ID: creds.accessKeyId,
          AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
          AWS_SESSION_TOKEN: creds.sessionToken ?? '',
          AWS_CREDENTIAL_EXPIRATION: info.expiresAt,
          AWS_REGION: region,
          AWS_DEFAULT_REGION: region,
          GRANTBOX_GRANT: grant,
        });
        const s3Endpoint = clients.endpoint('S3');
        const stsEndpoint = clients.endpoint('STS');
        if (s3Endpoint) env.AWS_ENDPOINT_URL_S3 = s3Endpoint;
        if (stsEndpoint) env.AWS_ENDPOINT_URL_STS = stsEndpoint;
        if (clients.aws.endpoint && !env.AWS_ENDPOINT_URL) env.AWS_ENDPOINT_URL = clients.aws.endpoint;

        const [file, ...args] = command;
        return new Promise<number>((resolve, reject) => {
          const child = spawn(file!, args, { stdio: 'inherit', env });
          const forward = (signal: NodeJS.Signals) => child.kill(signal);
          const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
          for (const s of signals) process.on(s, forward);
          const cleanup = () => signals.forEach((s) => process.removeListener(s, forward));
          child.once('error', (e: NodeJS.ErrnoException) => {
            cleanup();
            if (e.code === 'ENOENT') {
              reject(new AppError('EXEC_NOT_FOUND', `The command “${file}” was not found.`, { details: { hint: 'Check the spelling, or that it is installed and on your PATH.' } }));
            } else reject(e);
          });
          child.once('exit', (code, signal) => {
            cleanup();
            resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
          });
        });
      });
    }));
}
