// Bundles the `grantbox` CLI for plain Node (>= 20): same services as the app, no Electron.
// Dependencies stay external (node_modules), so keytar's native module and the AWS SDK load as installed.
// Start-up: the command modules import the services (AWS SDK, isomorphic-git, openpgp, keytar, the grant loader)
// with `await import()` inside their actions. In this CommonJS bundle esbuild turns each such import into a lazy
// initializer (`__esm` + `init_x()`), and the external `require()`s sit inside those initializers, so `--help`,
// `--version` and `grants lint` load only what they use (test/main/cli/index.test.ts checks this on the bundle).
// Usage: node scripts/build-cli.mjs [--outfile FILE]   (default out/cli/index.cjs; the test builds elsewhere)
//
// It also writes out/cli/grantbox-standalone.cjs: the same CLI with its npm dependencies inlined (only keytar's
// native module and electron stay outside), so an admins' CI job can run `grants lint | iam | diff` from this one
// pinned file and its out/cli/grantbox-standalone.cjs.sha256 — no npm registry, no `npx grantbox` (docs/admins.md).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const at = args.indexOf('--outfile');
const outfile = at >= 0 && args[at + 1] ? args[at + 1] : 'out/cli/index.cjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  entryPoints: ['main/cli/index.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  define: { __GRANTBOX_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

if (at < 0) {
  const standalone = 'out/cli/grantbox-standalone.cjs';
  await build({
    absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
    entryPoints: ['main/cli/index.ts'],
    outfile: standalone,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // keytar is native and only the keychain commands load it; electron is never loaded by the CLI.
    external: ['keytar', 'electron'],
    // Inlined ES modules that find their place with import.meta.url (openpgp: createRequire(import.meta.url)) get
    // this file's URL. esbuild leaves import.meta empty in a CommonJS bundle, which made every command that loads
    // the services (login, upload, whoami…) fail with "The argument 'filename' must be a file URL…". 'use strict'
    // comes first so the bundle stays in strict mode (a directive counts only before any statement).
    banner: { js: "#!/usr/bin/env node\n'use strict';\nvar __grantboxImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { __GRANTBOX_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__grantboxImportMetaUrl' },
    logLevel: 'error',
  });
  const root = fileURLToPath(new URL('..', import.meta.url));
  const digest = createHash('sha256').update(readFileSync(path.join(root, standalone))).digest('hex');
  // sha256sum's format, so CI can check it with `sha256sum -c`.
  writeFileSync(path.join(root, `${standalone}.sha256`), `${digest}  grantbox-standalone.cjs\n`);
}
