// `grantbox sandbox [--dir DIR] [--port N]`: try Grantbox without AWS. Starts moto_server as account 629470240201
// (so config/grants/hr-upload.yaml works unchanged), seeds the tutorial's world, switches auth on, writes
// DIR/sandbox.json (0600, the generated local keys) and then DIR/settings.yaml (last, so a watcher that sees it
// knows the sandbox is ready), prints how to sign in and runs until Ctrl-C.
// moto and the seeding code (AWS SDK IAM/S3 clients) are imported when the command runs, not when the program is built.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { OidcProviderRig } from '../../services/sandbox/oidc-provider';
import { AppError } from '../../services/errors';
import { defaultDataDir } from '../../services/paths';
import { action } from '../support';

/** The repo's config/grants when running from a checkout (so edits there show up), else null. */
function findRepoGrants(): string | null {
  for (const start of [process.cwd(), __dirname]) {
    let dir = start;
    for (let i = 0; i < 8; i++) {
      const candidate = path.join(dir, 'config', 'grants');
      if (existsSync(path.join(candidate, 'hr-upload.yaml'))) return candidate;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return null;
}

async function writeFileAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode });
  await fs.chmod(tmp, mode);
  await fs.rename(tmp, file);
}

export function register(program: Command): void {
  program
    .command('sandbox')
    .description('Start a local AWS stand-in (moto_server) with the tutorial\'s world and settings pointing at it; Ctrl-C stops it')
    .option('--dir <dir>', 'where to write settings.yaml and sandbox.json (default: <data folder>/sandbox)')
    .option('--access-keys', 'sign in with IAM access keys (the tutorial as before) instead of the local company sign-in')
    .option('--port <n>', 'port for moto_server (default: a free one)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new AppError('CLI_USAGE', `--port must be a port number, not “${v}”.`);
      return n;
    })
    .action(action(async (opts: { dir?: string; port?: number; accessKeys?: boolean }) => {
      const [{ startMoto }, { seedTutorialWorld, seedCompanySignIn, TUTORIAL_ACCOUNT_ID, TUTORIAL_GRANT_YAML, COMPANY_GRANT_YAML }] = await Promise.all([
        import('../../services/sandbox/moto'),
        import('../../services/sandbox/seed'),
      ]);
      const company = !opts.accessKeys;
      const dir = path.resolve(opts.dir ?? path.join(defaultDataDir(), 'sandbox'));
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const moto = await startMoto({ accountId: TUTORIAL_ACCOUNT_ID, ...(opts.port ? { port: opts.port } : {}) });
      let rig: OidcProviderRig | undefined;
      try {
        await moto.setAuth(false);
        const world = await seedTutorialWorld(moto.endpoint, { accountId: TUTORIAL_ACCOUNT_ID });
        if (company) {
          // A real local OpenID Provider (npm oidc-provider) that the tutorial role trusts (web identity).
          const { startOidcProvider } = await import('../../services/sandbox/oidc-provider');
          rig = await startOidcProvider();
          await seedCompanySignIn(moto.endpoint, { issuer: rig.issuer, clientId: rig.clientId, accountId: TUTORIAL_ACCOUNT_ID });
        } else {
          // moto answers the unsigned AssumeRoleWithWebIdentity with a 500 while auth is on, so only the
          // access-key world switches it on (signatures, trust policies, permissions enforced).
          await moto.setAuth(true);
        }

        let grantsDir = company ? null : findRepoGrants();
        if (company) {
          grantsDir = path.join(dir, 'grants');
          await fs.mkdir(grantsDir, { recursive: true });
          await fs.writeFile(path.join(grantsDir, 'hr-upload.yaml'), TUTORIAL_GRANT_YAML);
          await fs.writeFile(path.join(grantsDir, 'hr-company.yaml'), COMPANY_GRANT_YAML);
        } else if (!grantsDir) {
          grantsDir = path.join(dir, 'grants');
          await fs.mkdir(grantsDir, { recursive: true });
          await fs.writeFile(path.join(grantsDir, 'hr-upload.yaml'), TUTORIAL_GRANT_YAML);
        }
        const keys = {
          endpoint: world.endpoint,
          region: world.region,
          accountId: world.accountId,
          roleArn: world.roleArn,
          bucket: world.bucket,
          note: 'Local sandbox keys for moto_server only; they do not work on AWS.',
          users: { john: world.john, mallory: world.mallory },
        };
        await writeFileAtomic(path.join(dir, 'sandbox.json'), `${JSON.stringify(keys, null, 2)}\n`, 0o600);
        const settingsFile = path.join(dir, 'settings.yaml');
        await writeFileAtomic(
          settingsFile,
          [
            '# Written by `grantbox sandbox`: a local moto_server with the tutorial\'s world. Not for real AWS.',
            'apiVersion: grantbox.dev/v1',
            'kind: Settings',
            'grants:',
            '  source: directory',
            `  path: ${JSON.stringify(grantsDir)}`,
            'aws:',
            `  region: ${world.region}`,
            `  endpoint: ${world.endpoint}`,
            '  forcePathStyle: true',
            ...(rig
              ? ['signIn:', '  method: oidc', `  issuer: ${rig.issuer}`, `  clientId: ${rig.clientId}`, '  userClaim: email', '  groupsClaim: groups', '  name: Company1']
              : []),
            '',
          ].join('\n'),
          0o600,
        );

        process.stdout.write(
          [
            `Sandbox running at ${world.endpoint} (account ${world.accountId}, bucket ${world.bucket}). Ctrl-C stops it.`,
            '',
            'Use it:',
            `  export GRANTBOX_SETTINGS=${settingsFile}`,
            ...(rig
              ? [
                  '  grantbox login      # signs in with Company1 in your browser (or: grantbox login --device)',
                  '  grantbox grants list',
                  '  grantbox exec hr-company -- aws s3 cp new-file.txt s3://company1-hr/',
                  '',
                  `Company sign-in (a local OpenID Provider at ${rig.issuer}):`,
                  `  john     password ${rig.users.john!.password}   (group hr-staff: may use “HR team drop box”)`,
                  `  mallory  password ${rig.users.mallory!.password}   (group contractors: no upload place)`,
                  '  `grantbox sandbox --access-keys` gives the access-key world instead.',
                ]
              : [
                  `  grantbox login --access-key-id ${world.john.accessKeyId}     # then paste john's secret below`,
                  '  grantbox grants list',
                  '  grantbox exec hr-upload -- aws s3 cp new-file.txt s3://company1-hr/',
                ]),
            '',
            'Local sandbox keys (moto only, not AWS):',
            `  john     ${world.john.accessKeyId}  ${world.john.secretAccessKey}`,
            `  mallory  ${world.mallory.accessKeyId}  ${world.mallory.secretAccessKey}   (not trusted by ${world.roleArn.split('/').pop()})`,
            `  (also in ${path.join(dir, 'sandbox.json')})`,
            '',
          ].join('\n'),
        );

        await new Promise<void>((resolve, reject) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          moto.process.once('exit', (code) => {
            process.removeListener('SIGINT', stop);
            process.removeListener('SIGTERM', stop);
            reject(new AppError('SANDBOX_MOTO_EXITED', `The local AWS stand-in stopped unexpectedly (exit code ${code}).`, { details: { hint: 'Run `grantbox sandbox` again.' } }));
          });
        });
        process.stdout.write('Stopping the sandbox…\n');
      } finally {
        await rig?.stop();
        await moto.stop();
      }
    }));
}
