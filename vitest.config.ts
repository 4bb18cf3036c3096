import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Generated modules import `seqloom/runtime`; in tests that is the TypeScript source, not dist/.
    // Exact matches: `seqloom/runtime` must not also rewrite `seqloom/runtime/node`.
    alias: [
      { find: /^seqloom\/runtime$/, replacement: fileURLToPath(new URL('./src/runtime/index.ts', import.meta.url)) },
      { find: /^seqloom\/runtime\/node$/, replacement: fileURLToPath(new URL('./src/runtime/node/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/setup-products.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
