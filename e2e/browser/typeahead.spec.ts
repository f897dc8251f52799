import { expect } from '@playwright/test'
import { test } from '../support/web-host'
import { submitLine, terminalLines } from '../support/terminal'

test('lines typed while an evaluation runs are kept and run in order afterwards', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  // Keeps the runtime busy for a moment (a synchronous loop).
  await submitLine(page, 'const until = Date.now() + 1500; while (Date.now() < until) {}; "slow done"')
  await submitLine(page, 'var typedWhileBusy = 41')
  await submitLine(page, 'typedWhileBusy + 1')
  await expect.poll(() => terminalLines(page)).toContain('42')
  const lines = await terminalLines(page)
  expect(lines.indexOf("'slow done'")).toBeLessThan(lines.indexOf('42'))
  // Both typed-ahead lines are still visible as entered.
  expect(lines).toContain('› var typedWhileBusy = 41')
})

test('a tab without the session token is told how to get in', async ({ browser, host }) => {
  // A fresh context: no session storage, no cookie. The page itself refuses without the token.
  const context = await browser.newContext()
  const page = await context.newPage()
  const response = await page.goto(new URL('/', host.url).href)
  expect(response?.status()).toBe(403)
  await expect(page.locator('body')).toContainText('Open the URL that `cortex web` printed')
  await context.close()
})

test('Tab completes names from the runtime: one match inserted, several listed', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, 'var greetingText = "hi"; var greetCount = 2; var uniqueThing = 1')
  await page.keyboard.type('uniq')
  await page.keyboard.press('Tab')
  await expect.poll(() => terminalLines(page)).toContain('› uniqueThing')
  await page.keyboard.press('Control+U')
  await page.keyboard.type('gre')
  await page.keyboard.press('Tab')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/greetCount {2}greetingText/))
  await expect.poll(() => terminalLines(page)).toContain('› greet')
})
