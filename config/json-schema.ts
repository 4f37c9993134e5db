// The editor JSON Schemas (config/schema/*.json), generated from the zod schemas so they cannot drift:
// scripts/gen-schema.mjs writes them and test/config/json-schema.test.ts fails when the committed files are stale.
// Draft-07, because yaml-language-server (VS Code's YAML extension) supports it best.
import { z } from 'zod';
import { GrantSchema, SettingsSchema } from './schema';

function generate(schema: z.ZodType, id: string, title: string): string {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return JSON.stringify({ ...json, $id: id, title }, null, 2) + '\n';
}

/** File name → exact file content. */
export function jsonSchemaFiles(): Record<string, string> {
  return {
    'grant.schema.json': generate(GrantSchema, 'https://grantbox.dev/schema/v1/grant.schema.json', 'Grantbox grant'),
    'settings.schema.json': generate(SettingsSchema, 'https://grantbox.dev/schema/v1/settings.schema.json', 'Grantbox settings'),
  };
}
