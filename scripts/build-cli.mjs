// Bundles the `grantbox` CLI for plain Node (>= 20): same services as the app, no Electron.
// Dependencies stay external (node_modules), so keytar's native module and the AWS SDK load as installed.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['main/cli/index.ts'],
  outfile: 'out/cli/index.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  define: { __GRANTBOX_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
