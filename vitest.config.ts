import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'eval/**/*.test.ts'],
    // generous: property tests ingest dozens of files, and CI machines are shared and slow
    testTimeout: 180_000,
    pool: 'forks',
  },
});
