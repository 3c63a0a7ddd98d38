import { defineConfig } from 'vitest/config';

// Three projects, from fast to slow. unit: pure logic, no I/O. integration: one real service
// (Redis, SQLite, Mosquitto, Kafka) per suite. e2e: real processes killed and restarted.
// Services are started by scripts/test.sh (scripts/services.sh) and found through the
// environment variables it exports (test/support/env.ts).
// ONECARD_TEST_NOW=<ISO instant> starts every test file's clock there (scripts/test-clock.sh).
const setupFiles = process.env.ONECARD_TEST_NOW ? ['test/support/clock-setup.ts'] : [];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          setupFiles,
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/e2e/**'],
        },
      },
      {
        test: {
          name: 'integration',
          setupFiles,
          include: ['test/**/*.int.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          setupFiles,
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
