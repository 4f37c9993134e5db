// Writes config/schema/grant.schema.json and settings.schema.json from the zod schemas (config/json-schema.ts).
// Run after changing config/schema.ts: `npm run schema`. A test fails while the committed files are stale.
import { mkdir, writeFile } from 'node:fs/promises';
import { tsImport } from 'tsx/esm/api';

const { jsonSchemaFiles } = await tsImport('../config/json-schema.ts', import.meta.url);
const dir = new URL('../config/schema/', import.meta.url);
await mkdir(dir, { recursive: true });
for (const [name, text] of Object.entries(jsonSchemaFiles())) {
  await writeFile(new URL(name, dir), text);
  process.stdout.write(`wrote config/schema/${name}\n`);
}
