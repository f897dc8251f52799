// The ui group: the window in Debian's Chromium (Playwright), against the real browser-mode host.
//  - keystroke echo while 100 MB of output streams: keydown to the character on the prompt line at
//    the next frame, in the app vs a raw xterm.js page fed the same 100 MB with plain `write`;
//  - scroll frame rate of the trace timeline holding 10,000 spans vs the same page's idle frame rate;
//  - keystroke echo while 200 concurrent graph runs stream their output;
//  - first paint and time to an interactive prompt vs the raw xterm page's first paint.
// Everything is measured inside the page (performance.now, requestAnimationFrame).
/* global window, document, performance, requestAnimationFrame -- the functions given to page.evaluate run in the page */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import { extname, join } from 'node:path'
import process from 'node:process'
import { chromium } from '@playwright/test'
import { isBuildCurrent, build } from '../../scripts/build.mjs'
import { chromiumPath, ensureChromium } from '../../scripts/ensure-chromium.mjs'
import { projectRoot } from '../lib/build.mjs'
import { machine, markdownTable, textTable } from '../lib/report.mjs'

export const title = 'UI: keystroke echo during 100 MB of output, timeline scroll fps, first paint (Chromium)'

const LINES = 1_000_000 // 100-character lines: 100 MB
const FLOOD = `void (async () => { for (let i = 0; i < ${LINES}; i++) { console.log('x'.repeat(99)); if (i % 1000 === 0) await new Promise(r => setTimeout(r, 0)) } })()`
// 200 graph runs at once, each streaming 600 lines (one every 25 ms: 8,000 lines a second in all, for 15 s).
const CONCURRENT_RUNS = 200
const CONCURRENT = `const Fin = node('Fin', { n: z.number() }); const Stream = node('Stream', { n: z.number() }).to(() => [Fin]); Stream.run(async (self) => { for (let i = 0; i < 600; i++) { console.log('run ' + self.n + ' line ' + i + ' ' + 'y'.repeat(60)); await new Promise((r) => setTimeout(r, 25)) } return Fin.make({ n: self.n }) }); var streamer = graph(Stream); var runs = Array.from({ length: ${CONCURRENT_RUNS} }, (_, n) => streamer({ n })); runs.length`
const KEY_LATENCY_TARGET_MS = 50
const SCROLL_FPS_TARGET = 30

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN
}
const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—')
const ratio = (value, base) => (Number.isFinite(value) && Number.isFinite(base) && base > 0 ? `${(value / base).toFixed(2)}×` : '—')

/** The built browser-mode host, in a project folder of its own (its session store records the flood). */
async function startHost(project) {
  const child = spawn(process.execPath, [join(projectRoot, 'out/main/webhost.js'), '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stderr.resume()
  let stdout = ''
  const url = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stdout)
      if (match) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`the host exited (${code})`)))
  })
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
}

/** The baseline: a page with nothing but a raw xterm.js Terminal that echoes keys and can be flooded with plain `write`. */
async function startBaselinePage(dir) {
  const xterm = join(projectRoot, 'node_modules/@xterm/xterm')
  copyFileSync(join(xterm, 'lib/xterm.js'), join(dir, 'xterm.js'))
  copyFileSync(join(xterm, 'css/xterm.css'), join(dir, 'xterm.css'))
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><link rel="stylesheet" href="xterm.css"></head>' +
      '<body style="margin:0;background:#1e1e1e"><div id="terminal" style="width:100vw;height:100vh"></div><script src="xterm.js"></script><script src="baseline.js"></script></body></html>'
  )
  writeFileSync(
    join(dir, 'baseline.js'),
    `const terminal = new Terminal({ scrollback: 10000, fontSize: 14, fontFamily: '"DejaVu Sans Mono", monospace' })
terminal.open(document.getElementById('terminal'))
terminal.write('raw xterm.js baseline\\r\\n')
terminal.onData((data) => terminal.write(data, () => window.onEcho?.(data)))
terminal.focus()
window.terminalReady = performance.now()
// The naive way: every chunk as it comes, straight to write (no flow control).
window.flood = (lines) => {
  const line = 'x'.repeat(99) + '\\r\\n'
  let left = lines
  const step = () => {
    const n = Math.min(left, 2500)
    terminal.write(line.repeat(n))
    left -= n
    if (left > 0) setTimeout(step, 0)
  }
  step()
}
`
  )
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }
  const server = createServer(async (request, response) => {
    const name = new URL(request.url, 'http://local').pathname.slice(1) || 'index.html'
    try {
      const body = await readFile(join(dir, name.replaceAll('/', '')))
      response.writeHead(200, { 'content-type': types[extname(name)] ?? 'application/octet-stream' })
      response.end(body)
    } catch {
      response.writeHead(404).end()
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((resolve) => server.close(resolve)) }
}

/** First contentful paint of the loaded page (ms since navigation start). */
const firstPaint = (page) => page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN)

/**
 * Types `count` characters, one every `gapMs`, and gives each one's latency: keydown to the next
 * frame after the character is on the cursor's line (the app) or after xterm parsed its echo (the baseline).
 */
async function keystrokeLatencies(page, kind, count, gapMs) {
  await page.evaluate((kind) => {
    window.latencies = []
    let typed = ''
    const textarea = document.querySelector('.xterm-helper-textarea')
    const pane = document.querySelector('[data-testid="repl"]')
    // One measurement at a time: the previous one's listener would keep polling for its own keys.
    if (window.stopMeasuring) window.stopMeasuring()
    let stopped = false
    const listener = (event) => {
      if (event.key.length !== 1) return
      const start = performance.now()
      typed += event.key
      const expected = typed
      const done = () => requestAnimationFrame(() => window.latencies.push(performance.now() - start))
      if (kind === 'baseline') {
        const key = event.key
        const previous = window.onEcho
        window.onEcho = (data) => (data === key ? (done(), (window.onEcho = previous)) : previous?.(data))
        return
      }
      // The prompt line starts with what was typed so far (later keys may already be there too).
      const check = () => (stopped ? undefined : pane.cursorLine().startsWith(`› ${expected}`) ? done() : requestAnimationFrame(check))
      requestAnimationFrame(check)
    }
    textarea.addEventListener('keydown', listener, true)
    window.stopMeasuring = () => {
      stopped = true
      textarea.removeEventListener('keydown', listener, true)
    }
  }, kind)
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  for (let i = 0; i < count; i++) {
    await page.keyboard.type(letters[i % letters.length])
    await page.waitForTimeout(gapMs)
  }
  // A key not echoed within 30 s counts as missing (the table says how many were measured).
  await page.waitForFunction((n) => window.latencies.length >= n, count, { timeout: 30_000 }).catch(() => undefined)
  return page.evaluate(() => window.latencies)
}

/**
 * Keystroke latencies in the app for `count` keys, typed as lines of at most KEYS_PER_LINE (one
 * prompt row: the measure reads the cursor's row), each ended with Enter (a ReferenceError, and a
 * fresh prompt).
 */
async function typedLines(page, count) {
  const latencies = []
  for (let left = count; left > 0; left -= KEYS_PER_LINE) {
    latencies.push(...(await keystrokeLatencies(page, 'app', Math.min(left, KEYS_PER_LINE), 100)))
    await page.evaluate(() => window.stopMeasuring())
    await page.keyboard.press('Enter')
    await page.waitForTimeout(200)
  }
  return latencies
}
const KEYS_PER_LINE = 40

/** Frames per second while `scroll` moves an element for `ms` (every frame a step), counted with requestAnimationFrame. */
async function framesPerSecond(page, selector, ms) {
  return page.evaluate(
    ({ selector, ms }) =>
      new Promise((resolve) => {
        const element = selector ? document.querySelector(selector) : undefined
        let frames = 0
        const start = performance.now()
        const step = (now) => {
          frames++
          if (element) element.scrollTop = (element.scrollTop + 40) % Math.max(1, element.scrollHeight - element.clientHeight)
          if (now - start < ms) requestAnimationFrame(step)
          else resolve((frames * 1000) / (now - start))
        }
        requestAnimationFrame(step)
      }),
    { selector, ms }
  )
}

/** An OTLP JSON file of `traces` traces of `perTrace` spans each (a root, children and grandchildren). */
function otlpTrace(file, traces, perTrace) {
  const hex = (n, width) => n.toString(16).padStart(width, '0')
  const base = BigInt(Date.now()) * 1_000_000n
  const spans = []
  for (let t = 0; t < traces; t++) {
    const traceId = hex(t + 1, 32)
    for (let s = 0; s < perTrace; s++) {
      const start = base + BigInt(t * 1_000_000_000 + s * 5_000_000)
      const parent = s === 0 ? undefined : s < 10 ? 0 : 1 + ((s - 10) % 9)
      spans.push({
        traceId,
        spanId: hex(t * perTrace + s + 1, 16),
        ...(parent === undefined ? {} : { parentSpanId: hex(t * perTrace + parent + 1, 16) }),
        name: s === 0 ? 'invoke_workflow Start' : `node Step${s}`,
        kind: 1,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + BigInt(s === 0 ? perTrace * 5_000_000 : 4_000_000)),
        attributes: [{ key: 'cortex.bench', value: { intValue: String(s) } }],
        status: { code: 1 }
      })
    }
  }
  writeFileSync(file, JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] }))
}

export async function run({ quick }) {
  if (!ensureChromium()) throw new Error('Chromium is needed for the ui benchmark')
  if (!isBuildCurrent(['out/main/webhost.js', 'out/main/runtime.js', 'out/renderer/index.html']) && !build()) throw new Error('the build failed')
  const keys = quick ? 15 : 80
  const dir = mkdtempSync(join(os.tmpdir(), 'cortex-bench-ui-'))
  const project = join(dir, 'project')
  const baselineDir = join(dir, 'baseline')
  mkdirSync(project)
  mkdirSync(baselineDir)
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  const baseline = await startBaselinePage(baselineDir)
  const results = {}
  try {
    // The raw xterm page.
    {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      await page.goto(baseline.url)
      await page.waitForFunction(() => window.terminalReady !== undefined)
      results.baselinePaint = await firstPaint(page)
      results.baselineReady = await page.evaluate(() => window.terminalReady)
      await page.click('#terminal')
      await page.evaluate((lines) => window.flood(lines), LINES)
      await page.waitForTimeout(500)
      results.baselineKeys = await keystrokeLatencies(page, 'baseline', keys, 100)
      await page.close()
    }
    // The app.
    const host = await startHost(project)
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      const navigated = Date.now()
      await page.goto(host.url)
      await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent === 'connected')
      await page.waitForFunction(() => document.querySelector('[data-testid="repl"]')?.cursorLine?.().startsWith('›'))
      results.appInteractive = Date.now() - navigated
      results.appPaint = await firstPaint(page)
      results.renderer = await page.getAttribute('[data-testid="repl"]', 'data-renderer')

      // Timeline: 10,000 spans imported, then scrolled.
      const traceFile = join(dir, 'trace-10k.json')
      otlpTrace(traceFile, 100, 100)
      await page.setInputFiles('[data-testid="timeline-import"]', traceFile)
      await page.waitForFunction(() => /imported 10000 spans/.test(document.querySelector('[data-testid="timeline-notice"]')?.textContent ?? ''), undefined, {
        timeout: 60_000
      })
      results.idleFps = await framesPerSecond(page, undefined, 2000)
      results.scrollFps = await framesPerSecond(page, '[data-testid="timeline-rows"]', quick ? 2000 : 4000)

      // Keystrokes while 200 graph runs stream their output.
      await page.click('.xterm')
      await page.keyboard.type(CONCURRENT)
      await page.keyboard.press('Enter')
      const runsStarted = Date.now()
      await page.waitForTimeout(1500)
      results.runsKeys = await typedLines(page, keys)
      await page.waitForTimeout(Math.max(0, 17_000 - (Date.now() - runsStarted))) // the runs end

      // Keystrokes during the flood.
      await page.click('.xterm')
      await page.keyboard.type(FLOOD)
      await page.keyboard.press('Enter')
      await page.waitForTimeout(2000)
      results.appKeys = await typedLines(page, keys)
      await page.close()
    } finally {
      await host.stop()
    }
  } finally {
    await browser.close()
    await baseline.close()
    rmSync(dir, { recursive: true, force: true })
  }

  const appP50 = percentile(results.appKeys, 0.5)
  const appP95 = percentile(results.appKeys, 0.95)
  const baseP50 = percentile(results.baselineKeys, 0.5)
  const baseP95 = percentile(results.baselineKeys, 0.95)
  const runsP50 = percentile(results.runsKeys, 0.5)
  const runsP95 = percentile(results.runsKeys, 0.95)
  const failed = []
  if (!(runsP95 <= KEY_LATENCY_TARGET_MS)) failed.push(`keystroke p95 during ${CONCURRENT_RUNS} runs ${fixed(runsP95)} ms > ${KEY_LATENCY_TARGET_MS} ms`)
  if (!(appP95 <= KEY_LATENCY_TARGET_MS)) failed.push(`keystroke p95 ${fixed(appP95)} ms > ${KEY_LATENCY_TARGET_MS} ms`)
  if (!(results.scrollFps >= SCROLL_FPS_TARGET)) failed.push(`timeline scroll ${fixed(results.scrollFps)} fps < ${SCROLL_FPS_TARGET}`)
  const header = ['measure', 'Cortex', 'baseline', 'ratio', 'target']
  const rows = [
    [
      `keystroke echo p50 during 100 MB output (ms; keys echoed within 30 s: ${results.appKeys.length}/${keys} vs ${results.baselineKeys.length}/${keys})`,
      fixed(appP50),
      fixed(baseP50),
      ratio(appP50, baseP50),
      '—'
    ],
    [`keystroke echo p95 (ms; baseline: raw xterm, plain write)`, fixed(appP95), fixed(baseP95), ratio(appP95, baseP95), `≤ ${KEY_LATENCY_TARGET_MS} ms`],
    [
      `keystroke echo p50 while ${CONCURRENT_RUNS} graph runs stream output (ms; keys echoed: ${results.runsKeys.length}/${keys})`,
      fixed(runsP50),
      '—',
      '—',
      '—'
    ],
    [`keystroke echo p95 while ${CONCURRENT_RUNS} graph runs stream output (ms)`, fixed(runsP95), '—', '—', `≤ ${KEY_LATENCY_TARGET_MS} ms`],
    [
      'timeline scroll, 10,000 spans (fps; baseline: idle page)',
      fixed(results.scrollFps),
      fixed(results.idleFps),
      ratio(results.scrollFps, results.idleFps),
      `≥ ${SCROLL_FPS_TARGET}`
    ],
    [
      'first contentful paint (ms; baseline: raw xterm page)',
      fixed(results.appPaint, 0),
      fixed(results.baselinePaint, 0),
      ratio(results.appPaint, results.baselinePaint),
      '—'
    ],
    [
      'interactive prompt, from navigation (ms; baseline: xterm opened)',
      fixed(results.appInteractive, 0),
      fixed(results.baselineReady, 0),
      ratio(results.appInteractive, results.baselineReady),
      '—'
    ]
  ]
  const m = machine()
  const note = `Terminal renderer: ${results.renderer}. Machine: ${m.cpu}, ${m.cores} cores, ${m.platform}, Node ${m.node}, Chromium ${browser.version?.() ?? ''} (headless), ${m.date.toISOString().slice(0, 10)}.`
  const text = `${textTable(header, rows)}\n${note}${failed.length ? `\nnot met: ${failed.join('; ')}` : ''}`
  const markdown = `## UI (\`npm run bench -- ui\`)

${title}. Measured in the page: a key's latency runs from its keydown to the next animation frame
after the character is on the prompt line (Cortex) or after xterm parsed its echo (the baseline: a
page with only a raw xterm.js Terminal, fed the same 100 MB of 100-character lines with plain
\`write\`, no flow control). The timeline imports a generated OTLP file of 10,000 spans and is
scrolled one step per frame; its baseline is the same page's idle frame rate. The graph-runs rows:
${CONCURRENT_RUNS} runs of a graph defined at the prompt, started at once, each printing a line every
25 ms (8,000 lines a second in all) while keys are typed. Keys are typed one every 100 ms, ${keys} in
each scenario, in lines of ${KEYS_PER_LINE} (each ended with Enter). Streaming output is drawn at most
every 50 ms (\`OutputPacer\`, src/renderer/src/repl/output-pacer.ts): drawn every frame, the 200
runs left p95 at 54–62 ms.

${markdownTable(header, rows)}

${note}${failed.length ? `\n\nNot met: ${failed.join('; ')}.` : ''}
`
  return { text, markdown, failed }
}
