import type { Terminal } from '@xterm/xterm'

/**
 * The palette colour (0–15, or 'default') of the first cell of the last occurrence of `text` in
 * the buffer, or undefined if it is not there. Read from xterm's buffer, not the DOM, so it holds
 * whichever renderer (WebGL or DOM) draws: for end-to-end tests and tools.
 */
export function paletteColourOf(terminal: Terminal, text: string): number | 'default' | undefined {
  const buffer = terminal.buffer.active
  for (let y = buffer.length - 1; y >= 0; y--) {
    const line = buffer.getLine(y)
    const x = line?.translateToString(false).indexOf(text) ?? -1
    if (!line || x < 0) continue
    const cell = line.getCell(x)
    if (!cell) return undefined
    return cell.isFgDefault() ? 'default' : cell.getFgColor()
  }
  return undefined
}

/**
 * Where the last occurrence of `text` is drawn: the page coordinates of the middle of its first
 * character's cell, or undefined if it is not in view. For end-to-end tests (hovering a link).
 */
export function pointOf(terminal: Terminal, text: string): { x: number; y: number } | undefined {
  const buffer = terminal.buffer.active
  const screen = terminal.element?.querySelector('.xterm-screen')?.getBoundingClientRect()
  if (!screen) return undefined
  for (let y = buffer.length - 1; y >= buffer.viewportY; y--) {
    const x = buffer.getLine(y)?.translateToString(false).indexOf(text) ?? -1
    if (x < 0) continue
    const row = y - buffer.viewportY
    if (row >= terminal.rows) continue
    const width = screen.width / terminal.cols
    const height = screen.height / terminal.rows
    return { x: screen.left + (x + 0.5) * width, y: screen.top + (row + 0.5) * height }
  }
  return undefined
}

/** The text of the row the cursor is on (the prompt line): cheap enough to read every frame, for the UI benchmark. */
export function cursorLine(terminal: Terminal): string {
  const buffer = terminal.buffer.active
  return buffer.getLine(buffer.baseY + buffer.cursorY)?.translateToString(true) ?? ''
}
