import { expect, type Page } from '@playwright/test'
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { startHost, test } from '../support/web-host'
import { pointOf, submitLine, terminalLines } from '../support/terminal'

const PROMPT = '› '

const FLOOD_LINE = /^(\d{7})x{93}$/
const DROP_MARKER = /^\[\d+ bytes of output dropped\]$/

/** Numbered flood lines that follow a gap with no drop marker before them; and how many markers there are. */
function silentGapsAndMarkers(lines: string[]): { silentGaps: string[]; markers: number; last: number | undefined } {
  const silentGaps: string[] = []
  let markers = 0
  let last: number | undefined
  let marked = false
  for (const line of lines) {
    if (DROP_MARKER.test(line)) {
      markers++
      marked = true
      continue
    }
    const match = FLOOD_LINE.exec(line)
    if (!match) continue
    const n = Number(match[1])
    if (last !== undefined && n !== last + 1 && !marked) silentGaps.push(`${last} → ${n}`)
    last = n
    marked = false
  }
  return { silentGaps, markers, last }
}

async function lastLine(page: Page): Promise<string | undefined> {
  return (await terminalLines(page)).at(-1)
}

/** Ctrl+click follows a link, as in VS Code's terminal (a plain click selects). */
async function ctrlClick(page: Page, x: number, y: number): Promise<void> {
  await page.keyboard.down('Control')
  await page.mouse.click(x, y)
  await page.keyboard.up('Control')
}

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await expect(page.getByTestId('repl')).toHaveAttribute('data-renderer', /^(webgl|dom)$/)
}

test('a line typed while a background task streams output stays intact, and Enter runs it', async ({ page, host }) => {
  await open(page, host.url)
  await submitLine(
    page,
    "void (async () => { for (let i = 0; i < 2000; i++) { console.log('tick', i); await new Promise(r => setTimeout(r, 1)) } console.log('ticks done') })()"
  )
  await expect.poll(async () => (await terminalLines(page)).some((line) => line.startsWith('tick '))).toBe(true)
  await page.keyboard.type('const typedDuringTicks = 6 * 7', { delay: 20 })
  // Output keeps arriving above; the prompt line keeps what was typed, whole.
  await expect.poll(() => lastLine(page)).toBe(`${PROMPT}const typedDuringTicks = 6 * 7`)
  const ticksSoFar = (await terminalLines(page)).filter((line) => line.startsWith('tick ')).length
  await page.screenshot({ path: 'test-results/output-typing-during-stream.png' })
  await page.keyboard.press('Enter')
  await submitLine(page, 'typedDuringTicks')
  await expect.poll(() => terminalLines(page)).toContain('42')
  await expect.poll(() => terminalLines(page), { timeout: 30_000 }).toContain('ticks done')
  const lines = await terminalLines(page)
  expect(ticksSoFar).toBeLessThan(2000) // it really was typed while the ticks streamed
  // Nothing lost: every tick is there, in order.
  expect(lines.filter((line) => line.startsWith('tick '))).toEqual(Array.from({ length: 2000 }, (_, i) => `tick ${i}`))
  expect(lines.at(-1)).toBe(PROMPT.trimEnd())
})

test('a line streamed in parts stays on one row, above the prompt, while the user types there', async ({ page, host }) => {
  await open(page, host.url)
  await page.locator('.xterm').click()
  await page.keyboard.press('Shift+Tab') // js → nl
  await page.keyboard.press('Shift+Tab') // nl → bash
  await expect(page.getByTestId('mode')).toHaveText('BASH')
  await page.keyboard.type("printf 'one '; sleep 0.3; printf 'two '; sleep 0.3; printf 'three\\n'")
  await page.keyboard.press('Enter')
  await page.keyboard.type('abc', { delay: 100 })
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/^\[bash b\d+\] one two three$/))
  await expect.poll(() => lastLine(page)).toBe('$ abc')
  // One row: no part of the line was left on a row of its own.
  const streamed = (await terminalLines(page)).filter((line) => /\b(one|two|three)\b/.test(line) && !line.startsWith('$'))
  expect(streamed).toHaveLength(1)
  await page.screenshot({ path: 'test-results/output-partial-line.png' })
})

test('Ctrl+C cancels a long awaited evaluation: the prompt returns and the task is listed as cancelled', async ({ page, host }) => {
  await open(page, host.url)
  await submitLine(page, 'await new Promise((r) => setTimeout(r, 60_000))')
  await expect(page.getByTestId('repl')).toBeVisible()
  await page.waitForTimeout(300)
  await page.keyboard.press('Control+C')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('^C: cancelling'))
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/cancel/i))
  await submitLine(page, 'tasks.list()')
  await expect
    .poll(async () => (await terminalLines(page)).some((line) => line.includes('await new Promise') && line.includes('cancelled')), { timeout: 10_000 })
    .toBe(true)
  await page.keyboard.type('1 + 1')
  await expect.poll(() => lastLine(page)).toBe(`${PROMPT}1 + 1`)
  await page.screenshot({ path: 'test-results/output-cancelled.png' })
})

test('URLs and file paths in output are links: a tooltip on hover, Ctrl+click opens them', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-links-'))
  const record = join(dir, 'opened.txt')
  const opener = join(dir, 'fake-open.sh')
  // The system's opener is the one fake edge: a real process that records what it was asked to open.
  writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${record}'\n`)
  chmodSync(opener, 0o755)
  const report = join(dir, 'report.txt')
  writeFileSync(report, 'a report\n')
  const project = join(dir, 'project')
  mkdirSync(join(project, 'examples', 'ootd'), { recursive: true })
  writeFileSync(join(project, 'examples', 'ootd', 'index.ts'), 'export {}\n')
  const host = await startHost({ CORTEX_OPEN_COMMAND: opener }, { cwd: project })
  // No network here: the link's page is served by the test.
  await page.context().route('https://example.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>docs</title>docs' }))
  // What the window asks the runtime: runtime.info once per connection, not again per link click.
  let infoAsks = 0
  page.on('websocket', (socket) => socket.on('framesent', (frame) => String(frame.payload).includes('"runtime.info"') && infoAsks++))
  try {
    await open(page, host.url)
    await submitLine(page, `console.log('docs at https://example.com/cortex/docs and the report at ${report}')`)
    await submitLine(page, "console.log('    at main (examples/ootd/index.ts:12:5)')")
    await expect.poll(() => terminalLines(page)).toContain('    at main (examples/ootd/index.ts:12:5)')

    const url = await pointOf(page, 'https://example.com')
    expect(url).toBeDefined()
    await page.mouse.move(url!.x, url!.y)
    await expect(page.getByRole('tooltip')).toContainText('https://example.com/cortex/docs')
    await page.screenshot({ path: 'test-results/output-link-hover.png' })
    // A plain click selects text; Ctrl+click follows the link into a new page, outside the app.
    const popup = page.context().waitForEvent('page')
    await page.keyboard.down('Control')
    await ctrlClick(page, url!.x, url!.y)
    await page.keyboard.up('Control')
    const opened = await popup
    await opened.waitForURL('https://example.com/cortex/docs')
    await opened.close()

    const absolute = await pointOf(page, report)
    await page.mouse.move(absolute!.x + 20, absolute!.y)
    await expect(page.getByRole('tooltip')).toContainText(`Open file`)
    await page.mouse.click(absolute!.x + 20, absolute!.y) // a plain click opens nothing
    await ctrlClick(page, absolute!.x + 20, absolute!.y)
    await expect.poll(() => (existsSync(record) ? readFileSync(record, 'utf8') : '')).toBe(`${report}\n`)

    // A relative path from a stack trace opens relative to the runtime's directory (the project's).
    const relative = await pointOf(page, 'examples/ootd/index.ts')
    await page.mouse.move(relative!.x + 10, relative!.y)
    await expect(page.getByRole('tooltip')).toContainText('examples/ootd/index.ts, line 12, column 5')
    await ctrlClick(page, relative!.x + 10, relative!.y)
    await expect.poll(() => readFileSync(record, 'utf8')).toBe(`${report}\n${join(project, 'examples', 'ootd', 'index.ts')}\n`)

    // A path that is no file is refused by the host, and the pane says why.
    await submitLine(page, "console.log('missing: /no/such/dir/file.txt')")
    const missing = await pointOf(page, '/no/such/dir/file.txt')
    await ctrlClick(page, missing!.x + 10, missing!.y)
    await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('cannot open /no/such/dir/file.txt: no such file'))
    expect(readFileSync(record, 'utf8').split('\n').filter(Boolean)).toHaveLength(2)
    expect(infoAsks).toBe(1)
    await page.screenshot({ path: 'test-results/output-links.png' })
  } finally {
    await host.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('100 MB of output: keys typed meanwhile appear on the prompt, and nothing is lost silently', async ({ page }) => {
  test.setTimeout(240_000)
  // A project of its own: the session store records all 100 MB, and should not burden the other tests.
  const project = mkdtempSync(join(tmpdir(), 'cortex-flood-'))
  const host = await startHost({}, { cwd: project })
  try {
    await open(page, host.url)
    // 1e6 lines of 100 characters, yielding now and then so the runtime keeps answering.
    await submitLine(
      page,
      "void (async () => { for (let i = 0; i < 1e6; i++) { console.log(String(i).padStart(7, '0') + 'x'.repeat(93)); if (i % 1000 === 0) await new Promise(r => setTimeout(r, 0)) } console.log('flood done') })()"
    )
    await expect.poll(async () => (await terminalLines(page)).filter((line) => FLOOD_LINE.test(line)).length).toBeGreaterThan(100)
    await page.keyboard.type("var typedDuringFlood = 'typed during the flood'.length", { delay: 10 })
    await expect.poll(() => lastLine(page), { timeout: 20_000 }).toBe(`${PROMPT}var typedDuringFlood = 'typed during the flood'.length`)
    // Still responsive mid-flood: the page answers a script at once.
    expect(await page.evaluate(() => 1 + 1)).toBe(2)
    await page.screenshot({ path: 'test-results/output-flood-typing.png' })
    await page.keyboard.press('Enter')
    // Whatever the screen cannot keep up with, the runtime drops, and a marker says how much: in
    // every look at the pane, a jump in the numbered lines comes right after a marker.
    let markers = 0
    const deadline = Date.now() + 200_000
    for (let lines = await terminalLines(page); !lines.includes('flood done'); lines = await terminalLines(page)) {
      markers = Math.max(markers, silentGapsAndMarkers(lines).markers)
      expect(silentGapsAndMarkers(lines).silentGaps).toEqual([])
      expect(Date.now()).toBeLessThan(deadline)
      await page.waitForTimeout(250)
    }
    const end = silentGapsAndMarkers(await terminalLines(page))
    expect(end.silentGaps).toEqual([])
    expect(end.last).toBe(999_999) // the flood's last line is there
    test.info().annotations.push({ type: 'drop markers seen', description: String(markers) })
    // It ran as typed (its echo has long scrolled away: ask for what it set).
    await submitLine(page, 'typedDuringFlood')
    await expect.poll(() => terminalLines(page), { timeout: 20_000 }).toContain('22')
    await page.screenshot({ path: 'test-results/output-flood-done.png' })
  } finally {
    await host.stop()
    rmSync(project, { recursive: true, force: true })
  }
})

test('with WebGL chosen, the terminal draws with it, and falls back to the DOM renderer when the GPU context is lost', async ({ page, host }) => {
  // This Chromium's WebGL2 is a software rasterizer, where `auto` picks the DOM renderer: choose WebGL.
  await page.addInitScript(() => localStorage.setItem('cortex.renderer', 'webgl'))
  await open(page, host.url)
  // Debian's Chromium has WebGL2 (SwiftShader), so the choice is honoured here.
  await expect(page.getByTestId('repl')).toHaveAttribute('data-renderer', 'webgl')
  await submitLine(page, "'drawn on the GPU'")
  await expect.poll(() => terminalLines(page)).toContain("'drawn on the GPU'")
  // Lose the renderer's context, as a driver reset would; xterm gives it a moment to come back, then gives up.
  const lost = await page.getByTestId('repl').evaluate((pane) => {
    let count = 0
    for (const canvas of pane.querySelectorAll('canvas')) {
      const extension = canvas.getContext('webgl2')?.getExtension('WEBGL_lose_context')
      if (extension) {
        extension.loseContext()
        count++
      }
    }
    return count
  })
  expect(lost).toBeGreaterThan(0)
  await expect(page.getByTestId('repl')).toHaveAttribute('data-renderer', 'dom', { timeout: 15_000 })
  await expect(page.locator('.xterm-rows')).toContainText('drawn on the GPU')
  await submitLine(page, "'drawn by the DOM'")
  await expect(page.locator('.xterm-rows')).toContainText('drawn by the DOM')
  await page.screenshot({ path: 'test-results/output-webgl-context-lost.png' })
})

test('by default a software rasterizer does not draw the terminal: the DOM renderer does', async ({ page, host }) => {
  await open(page, host.url)
  const gpu = await page.evaluate(() => {
    const context = document.createElement('canvas').getContext('webgl2')
    const info = context?.getExtension('WEBGL_debug_renderer_info')
    return context ? String(context.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : context.RENDERER)) : 'none'
  })
  const software = gpu === 'none' || /swiftshader|llvmpipe|softpipe|software/i.test(gpu)
  await expect(page.getByTestId('repl')).toHaveAttribute('data-renderer', software ? 'dom' : 'webgl')
})
