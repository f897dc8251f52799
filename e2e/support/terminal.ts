import type { Page } from '@playwright/test'

/** The REPL pane's visible lines, as xterm.js's DOM renderer draws them. */
export async function terminalLines(page: Page): Promise<string[]> {
  return page.locator('.xterm-rows > div').evaluateAll((rows) => rows.map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()))
}

/** Types a line into the REPL pane and presses Enter. */
export async function submitLine(page: Page, line: string): Promise<void> {
  await page.locator('.xterm').click()
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
}
