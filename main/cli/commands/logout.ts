// `grantbox logout`: forget the sign-in — the secret leaves the keychain and any session ends.
import type { Command } from 'commander';
import { action, withServices } from '../support';

export function register(program: Command): void {
  program
    .command('logout')
    .description('Sign out: delete your secret from the OS keychain and end sessions')
    .action(action(async (_opts: unknown, cmd: Command) => {
      await withServices(cmd, async ({ identity }) => {
        const { method, name } = identity.summary();
        await identity.signOut();
        process.stdout.write(
          method === 'accessKey'
            ? 'Signed out. Your secret access key was removed from the keychain.\n'
            : `Signed out of ${name}: the sign-in was ended at ${name} where it allows that, and removed from this computer's keychain.\n`,
        );
      });
    }));
}
