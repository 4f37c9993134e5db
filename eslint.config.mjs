// Runtime boundaries (shared/ARCHITECTURE.md) are errors: each folder may import only what its runtime has.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = { group: ['node:*'], message: 'This code also runs where Node is not available.' };
const electron = { name: 'electron', message: 'Only main/app and preload may import electron.' };
const keytar = { name: 'keytar', message: 'keytar is imported only by main/services/identity/keytar-secret-store.ts.' };
const awsSdk = { group: ['@aws-sdk/*', '@smithy/*'], message: 'The AWS SDK is used only under main/services/.' };
const mainCode = (message) => ({ group: ['**/main/**', '../main/*', '../../main/*'], message });

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
          patterns: [nodeBuiltins, awsSdk, mainCode('The renderer talks to main only through window.api (renderer/api.ts).')],
        },
      ],
    },
  },
  {
    files: ['config/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electron, keytar], patterns: [nodeBuiltins, awsSdk] }] },
  },
  {
    // Bridge data has one home and one direction: main imports the contract and its DTOs, never the reverse.
    files: ['preload/**/*.ts'],
    ignores: ['preload/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electron, keytar], patterns: [nodeBuiltins, awsSdk, mainCode('The bridge contract imports nothing from main: services import DTOs from preload/contract.ts.')] },
      ],
    },
  },
  {
    files: ['preload/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [keytar], patterns: [awsSdk, mainCode('The preload imports nothing from main: it runs sandboxed in the page.')] }],
    },
  },
  {
    // Pure code both main and the renderer use (formatting, shared definitions): no runtime, no app code.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electron, keytar], patterns: [nodeBuiltins, awsSdk, mainCode('shared/ is imported by main and the renderer; it imports neither.'), { group: ['**/preload/**', '**/renderer/**'], message: 'shared/ is imported by main and the renderer; it imports neither.' }] },
      ],
    },
  },
  {
    files: ['main/services/**/*.ts'],
    ignores: ['main/services/identity/keytar-secret-store.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [electron, keytar] }] },
  },
  {
    files: ['main/app/**/*.ts', 'main/cli/**/*.ts'],
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
