// Bundles the `grantbox` CLI for plain Node (>= 20): same services as the app, no Electron.
// Dependencies stay external (node_modules), so keytar's native module and the AWS SDK load as installed.
// Start-up: the command modules import the services (AWS SDK, isomorphic-git, openpgp, keytar, the grant loader)
// with `await import()` inside their actions. In this CommonJS bundle esbuild turns each such import into a lazy
// initializer (`__esm` + `init_x()`), and the external `require()`s sit inside those initializers, so `--help`,
// `--version` and `grants lint` load only what they use (test/main/cli/index.test.ts checks this on the bundle).
// Usage: node scripts/build-cli.mjs [--outfile FILE]   (default out/cli/index.cjs; the test builds elsewhere)
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
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
