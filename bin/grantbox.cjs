#!/usr/bin/env node
// Entry for `npx grantbox`: runs the CLI bundle built by `npm run build` (scripts/build-cli.mjs).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'out', 'cli', 'index.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('grantbox: the CLI is not built yet. Run `npm run build` in the Grantbox folder first.\n');
  process.exit(2);
}
require(bundle);
