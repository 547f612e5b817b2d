import { defineConfig } from 'vitest/config';

/** Attacks that load the machine on purpose (thousands of sockets, RSS, signals): run alone, after the rest. */
const HEAVY = ['test/hostile/load.test.ts', 'test/hostile/signals.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    globalSetup: ['test/setup/temp-dir.ts'],
    projects: [
      { extends: true, test: { name: 'tests', include: ['test/**/*.test.ts'], exclude: HEAVY } },
      { extends: true, test: { name: 'hostile-load', include: HEAVY, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
