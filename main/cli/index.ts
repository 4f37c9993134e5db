// The `grantbox` command: the same Electron-free services as the app, driven headlessly (admins' CI, helpdesk,
// scripts). Exit codes: 0 success, 1 the thing asked for failed (invalid grants, refused upload…), 2 usage error.
import { hardExitIfKeychainStuck, stuckKeychainCalls } from '../services/identity/keytar-secret-store';
import { exitQuietlyOnClosedPipe } from './closed-pipe';
import { buildProgram, runProgram } from './program';

exitQuietlyOnClosedPipe([process.stdout, process.stderr], (code) => process.exit(code));

// The AWS SDK warns on every run under Node 20 that releases after January 2027 need Node 22 (README says so
// once); staff and CI logs should not carry it on every command. An explicit setting from the caller wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function finish(code: number): void {
  // A keychain call that timed out (locked keyring waiting for a password) stays stuck in the native module and
  // would keep the process alive forever; the error has been printed, so leave without waiting for it.
  if (stuckKeychainCalls() > 0) hardExitIfKeychainStuck(code);
  process.exitCode = code;
}

runProgram(buildProgram(), process.argv).then(finish, (e: unknown) => {
  process.stderr.write(`grantbox: ${e instanceof Error ? e.message : String(e)}\n`);
  finish(1);
});
