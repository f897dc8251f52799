import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect, type FileChooser, type Page } from '@playwright/test'
import { startHost, testWithHost, type RunningHost } from '../support/web-host'
import { submitLine, terminalLines } from '../support/terminal'

// As `npm start` does: the runtime starts with the OOTD example loaded (first run). No key: the
// welcome line must offer the recorded answers.
const test = testWithHost({ CORTEX_LOAD: resolve('examples/ootd/index.ts'), ANTHROPIC_API_KEY: '' })

interface DroppedFile {
  name: string
  text: string
}

/** Drags files over the window (the overlay shows; screenshot it with `whileOver`) and drops them, as a user's file manager would. */
async function dropFiles(page: Page, files: DroppedFile[], whileOver?: () => Promise<unknown>): Promise<void> {
  const dataTransfer = await page.evaluateHandle((files) => {
    const transfer = new DataTransfer()
    for (const file of files) transfer.items.add(new File([file.text], file.name, { type: 'text/plain' }))
    return transfer
  }, files)
  const target = page.getByTestId('repl')
  await target.dispatchEvent('dragenter', { dataTransfer })
  await target.dispatchEvent('dragover', { dataTransfer })
  await expect(page.getByTestId('drop-overlay')).toHaveText('Drop a graph (.ts, .js) or a trace (.json, .jsonl)')
  await whileOver?.()
  await target.dispatchEvent('drop', { dataTransfer })
  await expect(page.getByTestId('drop-overlay')).toHaveCount(0)
}

const DOUBLER = `import { graph, node, z } from 'cortex'

export const Done = node('Done', { doubled: z.number() })
export const Start = node('Start', { n: z.number() }).to(() => [Done])
Start.run((self) => Done.make({ doubled: self.n * 2 }))
export const doubler = graph(Start)
`

async function open(page: Page, host: RunningHost): Promise<void> {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
}

const replHasFocus = (page: Page) => page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea') ?? false)

test('first run: the example is loaded and one line says how to run it, with the recorded answers', async ({ page, host }) => {
  await open(page, host)
  await expect
    .poll(() => terminalLines(page))
    .toContainEqual(
      "[system] OOTD example loaded: run it with  await ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })  (replay of recorded answers: no ANTHROPIC_API_KEY is set)"
    )
  await page.screenshot({ path: 'test-results/files-welcome.png' })
})

test('a dropped graph file is loaded: the REPL says what was bound, and the graph runs', async ({ page, host }) => {
  await open(page, host)
  await dropFiles(page, [{ name: 'doubler.ts', text: DOUBLER }], () => page.screenshot({ path: 'test-results/files-drop-overlay.png' }))
  await expect
    .poll(() => terminalLines(page))
    .toContainEqual(expect.stringMatching(/^loaded .*\.cortex\/dropped\/doubler\.ts: 3 bindings \(Done, Start, doubler\)$/))
  await expect.poll(() => terminalLines(page)).toContainEqual('graphs: doubler')
  await submitLine(page, '(await doubler({ n: 21 })).result.doubled')
  await expect.poll(() => terminalLines(page)).toContainEqual('42')
  await page.screenshot({ path: 'test-results/files-dropped-graph.png' })
})

test('dropped files that cannot be loaded say why: a syntax error with file:line:col, no graph, not a graph file', async ({ page, host }) => {
  await open(page, host)
  await dropFiles(page, [
    { name: 'broken.ts', text: "import { node } from 'cortex'\nexport const A = node('A', {\n  x: ,\n})\n" },
    { name: 'helpers.ts', text: 'export const greet = (who: string) => `hi ${who}`\n' },
    { name: 'notes.txt', text: 'just notes' }
  ])
  // Each file in the order dropped.
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/\.cortex\/dropped\/broken\.ts:3:\d+: Unexpected token/))
  await expect.poll(() => terminalLines(page)).toContainEqual('no graph in helpers.ts (export one made with graph(Start))')
  await expect(page.getByTestId('notices')).toContainText('notes.txt: not a graph (.ts, .js) or a trace (.json, .jsonl); nothing was loaded')
  // No graph, but its exports are bound anyway (as %load does).
  await submitLine(page, "greet('Dzara')")
  await expect.poll(() => terminalLines(page)).toContainEqual("'hi Dzara'")
  await page.screenshot({ path: 'test-results/files-drop-errors.png' })
})

test('the File menu by keyboard: Alt+F, arrows, Enter; Esc gives the keyboard back to the REPL; recent files reopen', async ({ page, host }) => {
  // Listening from the start: Playwright intercepts file choosers only once a listener is in place.
  const choosers: FileChooser[] = []
  page.on('filechooser', (chooser) => choosers.push(chooser))
  await open(page, host)
  await page.locator('.xterm').click()
  await page.keyboard.press('Alt+f')
  await expect(page.getByTestId('file-menu')).toBeVisible()
  await expect(page.getByTestId('menu-open-graph')).toBeFocused()
  await expect(page.getByTestId('file-menu')).toContainText('No recent files')
  await page.keyboard.press('ArrowDown')
  await expect(page.getByTestId('menu-import-trace')).toBeFocused()
  await page.keyboard.press('ArrowUp')
  await page.keyboard.press('ArrowUp') // wraps to the last item
  await expect(page.getByTestId('menu-shortcuts')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('file-menu')).toHaveCount(0)
  expect(await replHasFocus(page)).toBe(true)

  // Open graph… in a browser: the page's file chooser, then the same loading as a drop.
  await page.keyboard.press('Alt+f')
  await expect(page.getByTestId('menu-open-graph')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect.poll(() => choosers.length).toBe(1)
  await choosers[0]!.setFiles({ name: 'tripler.ts', mimeType: 'text/plain', buffer: Buffer.from(DOUBLER.replace(/doubler/g, 'tripler').replace('* 2', '* 3')) })
  await expect.poll(() => terminalLines(page)).toContainEqual('graphs: tripler')
  await dropFiles(page, [{ name: 'doubler.ts', text: DOUBLER }])
  await expect.poll(() => terminalLines(page)).toContainEqual('graphs: doubler')

  // Both are recent files now (newest first, kept in local storage); one reopens from the menu.
  await page.keyboard.press('Alt+f')
  await expect(page.getByTestId('menu-recent-0')).toHaveText('doubler.ts')
  await expect(page.getByTestId('menu-recent-1')).toHaveText('tripler.ts')
  await page.screenshot({ path: 'test-results/files-menu.png' })
  await page.keyboard.press('End')
  await expect(page.getByTestId('menu-recent-1')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect.poll(async () => (await terminalLines(page)).filter((line) => line === 'graphs: tripler').length).toBe(2)
  await submitLine(page, '(await tripler({ n: 5 })).result.doubled')
  await expect.poll(() => terminalLines(page)).toContainEqual('15')
})

test('the keyboard-shortcut overlay: F1, Ctrl+/ and the status bar "?"; Esc closes it and the REPL has the keyboard again', async ({ page, host }) => {
  await open(page, host)
  await page.locator('.xterm').click()
  await page.keyboard.press('F1')
  const overlay = page.getByTestId('shortcut-overlay')
  await expect(overlay).toBeVisible()
  for (const key of ['Shift+Enter', 'Shift+Tab', 'Ctrl+C', 'Ctrl+R', 'Alt+F', 'F1 or Ctrl+/'])
    await expect(overlay.getByText(key, { exact: true })).toBeVisible()
  await page.screenshot({ path: 'test-results/files-shortcuts.png' })
  await page.keyboard.press('Escape')
  await expect(overlay).toHaveCount(0)
  expect(await replHasFocus(page)).toBe(true)
  await page.keyboard.press('Control+/')
  await expect(overlay).toBeVisible()
  await page.keyboard.press('Escape')
  await page.getByTestId('shortcuts-button').click()
  await expect(overlay).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(overlay).toHaveCount(0)
  // The keys went to the overlay, not to the prompt.
  expect((await terminalLines(page)).at(-1)).toMatch(/^› ?$/)
})

test('the status bar shows the gate a run waits at, and clears it once answered; memory and tasks are there', async ({ page, host }) => {
  await open(page, host)
  await expect(page.getByTestId('memory')).toHaveText(/^\d+ MB · heap \d+ MB$/)
  await submitLine(page, "var outfit = ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })")
  // Runs are numbered per session (the tests before ran some): g1, g2, …
  await expect(page.getByTestId('gates')).toHaveText(/^1 gate waiting: @g\d+\.0$/)
  const gate = (await page.getByTestId('gates').textContent())!.split('@')[1]!
  await expect(page.getByTestId('tasks')).toHaveText('1 task')
  await expect(page.getByTestId('tasks')).toHaveAttribute('title', new RegExp(`^${gate.split('.')[0]} waiting: `))
  await page.screenshot({ path: 'test-results/files-gate-waiting.png' })
  await submitLine(page, `@${gate} ugh i just got up`)
  await expect(page.getByTestId('gates')).toHaveCount(0)
  await submitLine(page, '(await outfit).find(RecommendOOTD).footwear')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/^'.+'$/))
  await expect(page.getByTestId('tasks')).toHaveText('0 tasks')
  await page.screenshot({ path: 'test-results/files-gate-answered.png' })
})

test('export the trace from the File menu (a download), then drop the file on a fresh window: its spans are in the timeline', async ({
  page,
  host
}, testInfo) => {
  await open(page, host)
  // The session's spans (the example run above among them) have reached this window.
  await expect(page.getByTestId('traces')).not.toHaveText('0 spans')
  await page.locator('.xterm').click()
  await page.keyboard.press('Alt+f')
  const download = page.waitForEvent('download')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await expect(page.getByTestId('menu-export-trace')).toBeFocused()
  await page.keyboard.press('Enter')
  const file = await download
  expect(file.suggestedFilename()).toMatch(/^cortex-trace-\d{4}-\d\d-\d\dT\d{6}\.jsonl$/)
  const saved = testInfo.outputPath(file.suggestedFilename())
  await file.saveAs(saved)
  const text = readFileSync(saved, 'utf8')
  expect(text).toContain('invoke_workflow IsTheUserGettingDressed')
  await expect(page.getByTestId('notices')).toContainText(/exported \d+ spans to cortex-trace-/)

  // A fresh runtime (nothing recorded) in another window: the dropped file fills its timeline.
  const fresh = await startHost()
  try {
    const other = await page.context().newPage()
    await open(other, fresh)
    await expect(other.locator('[data-testid="timeline-row"][data-span-name="invoke_workflow IsTheUserGettingDressed"]')).toHaveCount(0)
    await dropFiles(other, [{ name: file.suggestedFilename(), text }])
    await expect(other.getByTestId('notices')).toContainText(/imported \d+ spans from cortex-trace-.*\.jsonl \(otlp-jsonl\) into the timeline/)
    await expect(other.locator('[data-testid="timeline-row"][data-span-name="invoke_workflow IsTheUserGettingDressed"]')).toHaveCount(1)
    await other.screenshot({ path: 'test-results/files-trace-imported.png' })
    await other.close()
  } finally {
    await fresh.stop()
  }
})

test('Restart runtime from the File menu: the window says the runtime restarted and the namespace is lost', async ({ page, host }) => {
  await open(page, host)
  await submitLine(page, 'var kept = 1')
  await page.getByTestId('menu-file').click()
  await page.getByTestId('menu-restart').click()
  // Typed at once, while the runtime restarts: it runs once the new runtime is there, not lost.
  await submitLine(page, 'typeof kept')
  await expect(page.getByTestId('runtime-banner')).toContainText('Runtime restarted: namespace lost')
  await expect(page.getByTestId('runtime-banner')).toContainText('The runtime was restarted on request; its namespace is new.')
  await expect.poll(() => terminalLines(page)).toContainEqual("'undefined'")
  expect(await terminalLines(page)).not.toContainEqual(expect.stringContaining('not connected to the runtime'))
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await page.screenshot({ path: 'test-results/files-restarted.png' })
  // A crash says so too, with what happened (dismissed first, so what shows is the crash's).
  await page.getByTestId('runtime-banner').getByRole('button', { name: 'Dismiss' }).click()
  await expect(page.getByTestId('runtime-banner')).toHaveCount(0)
  await submitLine(page, "const { kill, pid } = await import('node:process'); kill(pid, 'SIGKILL')")
  await expect(page.getByTestId('runtime-banner')).toContainText('The runtime exited unexpectedly')
  await expect(page.getByTestId('runtime-banner')).toContainText('its namespace and running tasks were lost')
  await page.screenshot({ path: 'test-results/files-crashed.png' })
})

test('`cortex web path/to/graph.ts` opens the app with that file loaded', async ({ page }) => {
  const file = join(mkdtempSync(join(tmpdir(), 'cortex-cli-')), 'doubler.ts')
  writeFileSync(file, DOUBLER)
  const cli = spawn(process.execPath, [resolve('bin/cortex.mjs'), 'web', file, '--no-build', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let stdout = ''
      cli.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stdout)
        if (match) resolveUrl(match[1]!)
      })
      cli.once('exit', (code) => reject(new Error(`cortex web exited (${code})`)))
    })
    await page.goto(url)
    await expect.poll(() => terminalLines(page)).toContainEqual(`[system] loaded ${file}: 3 bindings (Done, Start, doubler)`)
    // That file instead of the example.
    expect((await terminalLines(page)).join('\n')).not.toContain('OOTD example loaded')
    await submitLine(page, '(await doubler({ n: 4 })).result.doubled')
    await expect.poll(() => terminalLines(page)).toContainEqual('8')
  } finally {
    cli.kill('SIGTERM')
    if (cli.exitCode === null) await once(cli, 'exit')
  }
})
