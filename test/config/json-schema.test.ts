import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonSchemaFiles } from '../../config/json-schema';

describe('generated JSON Schemas', () => {
  const files = jsonSchemaFiles();

  it.each(Object.keys(files))('config/schema/%s is up to date (run `npm run schema` after changing config/schema.ts)', (name) => {
    const committed = readFileSync(path.resolve(__dirname, '../../config/schema', name), 'utf8');
    expect(committed).toBe(files[name]);
  });

  it('describes the grant shape editors need: required fields, closed objects, the enums', () => {
    const grant = JSON.parse(files['grant.schema.json']!);
    expect(grant.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(grant.required).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(grant.additionalProperties).toBe(false);
    expect(grant.properties.spec.properties.permissions.items.enum).toEqual(['list', 'read', 'upload']);
    expect(grant.properties.spec.properties.role.properties.duration.pattern).toBeTruthy();
    expect(new RegExp(grant.properties.spec.properties.role.properties.arn.pattern).test('arn:aws:iam::629470240201:role/JohnUploadRole')).toBe(true);
  });

  it('the example files point editors at the schemas', () => {
    expect(readFileSync(path.resolve(__dirname, '../../config/grants/hr-upload.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/schema\/grant\.schema\.json/);
    expect(readFileSync(path.resolve(__dirname, '../../config/settings.example.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/schema\/settings\.schema\.json/);
  });
});
