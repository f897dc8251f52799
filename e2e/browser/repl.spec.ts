import { expect } from '@playwright/test'
import { test } from '../support/web-host'
import { colourOf, submitLine, terminalLines } from '../support/terminal'

test('a line typed in the REPL pane is evaluated by the runtime', async ({ page, host }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(String(error)))
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text())
  })

  await page.goto(host.url)
  await expect(page.getByTestId('title')).toHaveText('Cortex')
  await expect(page.getByTestId('connection')).toHaveText('connected')
  // The token moved into a cookie: it is no longer in the address bar.
  expect(page.url()).not.toContain('token=')

  await submitLine(page, 'const x = 20')
  await submitLine(page, 'x * 2 + 2')
  await expect.poll(() => terminalLines(page)).toContain('42')
  await expect.poll(() => terminalLines(page)).toContain('› x * 2 + 2')

  await page.screenshot({ path: 'test-results/browser-repl.png' })
  expect(pageErrors).toEqual([])
})

test('console output and errors come back from the runtime', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, "console.log('hello from ' + 'the runtime')")
  await expect.poll(() => terminalLines(page)).toContain('hello from the runtime')

  await submitLine(page, 'notDefined + 1')
  await expect.poll(() => terminalLines(page)).toContain('Uncaught ReferenceError: notDefined is not defined')
  // Errors are drawn in red (ANSI colour 1), read from the buffer: the WebGL renderer has no DOM rows.
  await expect.poll(() => colourOf(page, 'Uncaught ReferenceError')).toBe(1)
})

test('the namespace is shared: a reload keeps it, as a second window sees it', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, 'var kept = "still here"')
  await page.reload()
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, 'kept')
  await expect.poll(() => terminalLines(page)).toContain("'still here'")
})
