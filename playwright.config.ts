import { defineConfig } from '@playwright/test'

/**
 * e2e suites:
 * - `browser`: the real app (built renderer + real runtime behind the browser-mode host) in
 *   Debian's Chromium. Runs everywhere.
 * - `electron`: the same scenarios in the Electron app; skipped, with the reason, where the
 *   Electron binary is not installed.
 */
export default defineConfig({
  testDir: './e2e',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: 'test-results',
  reporter: [['list']],
  projects: [
    {
      name: 'browser',
      testMatch: /browser\/.*\.spec\.ts$/,
      use: {
        headless: true,
        viewport: { width: 1100, height: 720 },
        launchOptions: {
          executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', // see scripts/ensure-chromium.mjs
          // A closed network: keep Chromium from dialling out at every start.
          args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
        }
      }
    },
    {
      name: 'electron',
      testMatch: /electron\/.*\.spec\.ts$/
    }
  ]
})
