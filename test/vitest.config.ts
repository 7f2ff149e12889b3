import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // The commands' control flow against a scripted transport: no cluster, milliseconds per case.
      { test: { name: 'flow', include: ['test/flow/**/*.test.ts'] } },
      // The release archives as built: every darwin binary's signature, checked independently of the signer.
      {
        test: {
          name: 'dist',
          include: ['test/dist/**/*.test.ts'],
          globalSetup: ['test/dist/global-setup.ts'],
          testTimeout: 60_000,
        },
      },
      // The benchmark's own tools, whose tests assert timings: run by `npm run bench:test`, never by `npm test`.
      { test: { name: 'bench', include: ['bench/**/*.test.ts'] } },
      {
        test: {
          // Everything that needs the control plane: end-to-end behaviour, and reliability under faults and races.
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/reliability/**/*.test.ts'],
          // One control plane for the whole run; a cold cache builds it first (minutes), hence no hook timeout.
          globalSetup: ['test/cluster/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each file works in namespaces of its own, but two cores cannot run many control-plane clients at once.
          maxWorkers: 2,
        },
      },
    ],
  },
});
