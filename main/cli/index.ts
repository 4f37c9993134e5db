// The `grantbox` command: the same Electron-free services as the app, driven headlessly (admins' CI, helpdesk,
// scripts). Exit codes: 0 success, 1 the thing asked for failed (invalid grants, refused upload…), 2 usage error.
import { buildProgram, runProgram } from './program';

runProgram(buildProgram(), process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`grantbox: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
