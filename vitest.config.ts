import { defineConfig } from 'vitest/config';

// One run holds unit tests and system tests (real processes, LMDB files, a real Kafka broker
// started by test/run-all.sh). Two cores: at most two test files at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
