import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Graph files import the framework as 'cortex' (in the runtime, the loader hooks serve it).
  resolve: { alias: { cortex: resolve('src/runtime/api.ts') } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // Integration tests run the built runtime and host (out/): build once before any test.
    globalSetup: ['test/support/build.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000
  }
})
