import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test'
// @ts-expect-error -- a plain .mjs script without type declarations
import { findElectronBinary } from '../../scripts/electron-binary.mjs'
import { submitLine, terminalLines } from '../support/terminal'

const binary = (findElectronBinary as () => string | undefined)()

// Our build machines cannot download the Electron binary; there these tests report as skipped
// (never as passed), and the same scenarios run against the browser mode in e2e/browser.
test.skip(!binary, 'the Electron binary is not installed on this machine (it cannot be downloaded here)')

let app: ElectronApplication

test.beforeAll(async () => {
  app = await electron.launch({ executablePath: binary, args: ['.'] })
})

test.afterAll(async () => {
  await app?.close()
})

test('a line typed in the REPL pane is evaluated by the runtime (Electron)', async () => {
  const page = await app.firstWindow()
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, 'const x = 20')
  await submitLine(page, 'x * 2 + 2')
  await expect.poll(() => terminalLines(page)).toContain('42')
  await page.screenshot({ path: 'test-results/electron-repl.png' })
})

test('the renderer cannot navigate away or open windows (Electron)', async () => {
  const page = await app.firstWindow()
  const before = page.url()
  await page.evaluate(() => {
    window.location.href = 'https://example.com/'
  })
  await page.waitForTimeout(500)
  expect(page.url()).toBe(before)
  expect(await page.evaluate(() => window.open('https://example.com/'))).toBeNull()
  expect(app.windows()).toHaveLength(1)
  // The preload exposes the bridge, and nothing of Node.
  expect(await page.evaluate(() => Object.keys((window as { cortex?: object }).cortex ?? {}).sort())).toEqual([
    'onRuntimeStatus',
    'requestRuntimePort',
    'restartRuntime'
  ])
  expect(await page.evaluate(() => typeof (window as { require?: unknown }).require)).toBe('undefined')
})
