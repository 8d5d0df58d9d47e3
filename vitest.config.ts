import { defineConfig } from 'vitest/config';

// The machines are 2 cores and noisy: generous per-test limits, so only a hang fails on time.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
