import type { Page } from '@playwright/test'

/** The REPL pane's lines (scrollback included), each whole however the pane's width wraps it. */
export async function terminalLines(page: Page): Promise<string[]> {
  return page
    .getByTestId('repl')
    .evaluate((pane) => (pane as HTMLElement & { logicalLines?: () => string[] }).logicalLines?.() ?? [])
    .then((lines) => lines.map((line) => line.trimEnd()))
}

/** The ANSI palette colour the REPL pane drew the last `text` in (read from xterm's buffer, whichever renderer draws). */
export async function colourOf(page: Page, text: string): Promise<unknown> {
  return page.getByTestId('repl').evaluate((pane, wanted) => (pane as HTMLElement & { colourOf?: (text: string) => unknown }).colourOf?.(wanted), text)
}

/** Where the REPL pane draws the last `text` (page coordinates of its first character), if it is in view. */
export async function pointOf(page: Page, text: string): Promise<{ x: number; y: number } | undefined> {
  return page
    .getByTestId('repl')
    .evaluate((pane, wanted) => (pane as HTMLElement & { pointOf?: (text: string) => { x: number; y: number } | undefined }).pointOf?.(wanted), text)
}

/** Types a line into the REPL pane and presses Enter. */
export async function submitLine(page: Page, line: string): Promise<void> {
  await page.locator('.xterm').click()
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
}
