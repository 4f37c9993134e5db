// Runtime boundaries (shared/ARCHITECTURE.md) are errors: each folder may import only what its runtime has.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = { group: ['node:*'], message: 'This code also runs where Node is not available.' };
const electron = { name: 'electron', message: 'Only main/app and preload may import electron.' };
const keytar = { name: 'keytar', message: 'keytar is imported only by main/services/identity/keytar-secret-store.ts.' };
const awsSdk = { group: ['@aws-sdk/*', '@smithy/*'], message: 'The AWS SDK is used only under main/services/.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'coverage/**', 'artifacts/**', 'config/schema/*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [electron, keytar],
          patterns: [nodeBuiltins, awsSdk, { group: ['**/main/**', '../main/*'], message: 'The renderer talks to main only through window.api (renderer/api.ts).' }],
        },
      ],
    },
  },
  {
    files: ['config/**/*.ts', 'preload/contract.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electron, keytar], patterns: [nodeBuiltins, awsSdk] }] },
  },
  {
    files: ['main/services/**/*.ts'],
    ignores: ['main/services/identity/keytar-secret-store.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electron, keytar] }] },
  },
  {
    files: ['main/app/**/*.ts', 'main/cli/**/*.ts', 'preload/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [keytar], patterns: [awsSdk] }] },
  },
  {
    // Raw ipcMain/ipcRenderer only in the typed IPC file and the preload.
    files: ['main/app/**/*.ts'],
    ignores: ['main/app/ipc/typed-ipc.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "ImportSpecifier[imported.name='ipcMain']", message: 'Use main/app/ipc/typed-ipc.ts.' }],
    },
  },
  {
    files: ['bin/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.{ts,tsx}', 'scripts/**/*.{mjs,ts}'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
