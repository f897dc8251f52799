import { expect } from '@playwright/test'
import { test } from '../support/web-host'
import { submitLine, terminalLines } from '../support/terminal'

test('Ctrl+C breaks a synchronous infinite loop and the namespace survives', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, 'var beforeTheLoop = 41')
  // Its result first: a loop typed ahead of it would only be dropped by Ctrl+C, never run.
  await expect.poll(() => terminalLines(page)).toContain('undefined')
  await submitLine(page, 'while (true) {}')
  await page.waitForTimeout(300)
  await page.keyboard.press('Control+C')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('^C: cancelling'))
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('interrupted (Ctrl+C); the namespace is intact'))
  await submitLine(page, 'beforeTheLoop + 1')
  await expect.poll(() => terminalLines(page), { timeout: 10_000 }).toContain('42')
})

test('BASH mode runs a shell command; NL mode without a key says how to set one', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await page.locator('.xterm').click()
  await page.keyboard.press('Shift+Tab') // js → nl
  await expect(page.getByTestId('mode')).toHaveText('NL')
  await page.keyboard.type('what is in my namespace?')
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('NL mode needs an Anthropic API key'))
  await page.keyboard.press('Shift+Tab') // nl → bash
  await expect(page.getByTestId('mode')).toHaveText('BASH')
  await page.keyboard.type('echo hello from $0')
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/\[bash b\d+\] hello from \/bin\/sh/))
})
