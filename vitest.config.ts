import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/renderer/**/*.test.{ts,tsx}', 'tests/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll defaults to 1 s: too tight for a WebSocket round trip and a Chromium render on two busy cores.
    expect: { poll: { timeout: 20_000 } },
    // Integration tests start real servers and write real files; two cores here.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: '.reports/vitest.json' }]],
  },
});
