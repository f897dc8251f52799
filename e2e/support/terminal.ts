import type { Page } from '@playwright/test'

/** The REPL pane's lines (scrollback included), each whole however the pane's width wraps it. */
export async function terminalLines(page: Page): Promise<string[]> {
  return page
    .getByTestId('repl')
    .evaluate((pane) => (pane as HTMLElement & { logicalLines?: () => string[] }).logicalLines?.() ?? [])
    .then((lines) => lines.map((line) => line.trimEnd()))
}

/** Types a line into the REPL pane and presses Enter. */
export async function submitLine(page: Page, line: string): Promise<void> {
  await page.locator('.xterm').click()
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
}
