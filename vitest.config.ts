// Test projects mirror the runtimes: `node` (services, config, CLI, IPC wiring — unit tests with mocked SDK),
// `integration` (real moto_server, real gnome-keyring, real git server — started by test/helpers),
// `dom` (React components in jsdom) and `e2e` (built renderer in real Chromium via Playwright).
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The AWS SDK's "releases after January 2027 need Node 22" warning would repeat in every worker and child process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    globals: true,
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          globals: true,
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/e2e/**', 'test/renderer/**'],
          testTimeout: 15_000,
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          globals: true,
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file starts its own servers on free ports; two cores → two workers. Its own group, after the
          // unit tests, because vitest runs projects of one group with one worker setting.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'dom',
          environment: 'jsdom',
          globals: true,
          include: ['test/renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['test/helpers/dom-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          globals: true,
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
