// The repl group: the round trip of one REPL input (client → runtime → result on screen) through
// the terminal client's pipe mode (`node out/main/terminal.js`, as `echo … | npx cortex` runs it:
// the runtime in the client's process), and through the same client with a runtime process of its
// own (`--runtime-process`: the interactive terminal's and the window's way to their runtime),
// against Node's own REPL (`node -i`) and IPython over the same kind of pipe; and the runtime's
// memory when every result is a 1 MB value that lands in the `_1…_10` history.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { performance } from 'node:perf_hooks'
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers'
import { isBuildCurrent, build } from '../../scripts/build.mjs'
import { buildEntries, projectRoot } from '../lib/build.mjs'
import { runChild } from '../lib/child.mjs'
import { machine, markdownTable, textTable } from '../lib/report.mjs'

export const title = 'REPL round trip and memory: Cortex terminal client (pipe mode; with a runtime process) vs node -i vs IPython'

const MEDIAN_TARGET = 'no slower than node -i'
const P99_TARGET_MS = 2
const RSS_TARGET_MB = 300
const TERMINAL = join(projectRoot, 'out/main/terminal.js')
const RUNTIME = join(projectRoot, 'out/main/runtime.js')
const IPYTHON_MISSING = 'IPython not installed (apt-get install ipython3)'
const INPUT_TIMEOUT_MS = 30_000

/** The inputs, each evaluating to `1 + i`: bare arithmetic (Cortex skips parsing it), and one Cortex must parse. */
const ARITHMETIC_INPUT = (i) => `1 + ${i}`
const PARSED_INPUT = (i) => `${i} >= 0 ? 1 + ${i} : 0`

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}
const median = (values) => percentile(values, 0.5)
const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '—')
const verdict = (ok) => (ok ? 'pass' : 'FAIL')
const ratio = (value, base) => (Number.isFinite(value) && Number.isFinite(base) && base > 0 ? `${(value / base).toFixed(1)}×` : '—')

/** The REPLs, each started fresh with its stdin and stdout as pipes, and how each shows the result `value`. */
const REPLS = {
  cortex: { name: 'Cortex', command: process.execPath, args: [TERMINAL], env: {}, pidInput: '(await import("node:process")).pid' },
  cortexProcess: {
    name: 'Cortex, runtime process',
    command: process.execPath,
    args: [TERMINAL, '--runtime-process'],
    env: {},
    pidInput: '(await import("node:process")).pid'
  },
  node: { name: 'node -i', command: process.execPath, args: ['-i'], env: { NODE_NO_READLINE: '1', NODE_REPL_HISTORY: '' }, pidInput: 'process.pid' },
  ipython: {
    name: 'IPython',
    command: 'ipython3',
    args: ['--no-banner', '--colors=NoColor', '--no-confirm-exit', '--HistoryManager.enabled=False', '--simple-prompt'],
    // Python buffers a pipe's output by the block: unbuffered, each result leaves as it is printed.
    env: { PYTHONUNBUFFERED: '1' },
    pidInput: '__import__("os").getpid()'
  }
}

function ipythonVersion() {
  const result = spawnSync('ipython3', ['--version'], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : undefined
}

/**
 * A REPL child and its output as it arrives. `until(text)` resolves when `text` appears as a whole
 * value: at the start of a line or after a space (`> 2`, `Out[3]: 2`), then the line's end.
 */
function startRepl(repl) {
  // A fresh, empty project folder each time: Cortex's session store (<cwd>/.cortex/store) starts
  // empty, as in a new project, instead of reading every earlier run's entries while it is being
  // measured (and the repository's own store is not filled with benchmark inputs).
  const cwd = mkdtempSync(join(os.tmpdir(), 'cortex-bench-repl-'))
  const child = spawn(repl.command, repl.args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...repl.env, NO_COLOR: '1' } })
  let buffer = ''
  let stderr = ''
  let waiter
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffer += chunk
    waiter?.()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)))
  const until = (match, timeoutMs = INPUT_TIMEOUT_MS) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiter = undefined
        reject(new Error(`${repl.name}: no ${match.what} after ${timeoutMs} ms; output: ${JSON.stringify(buffer.slice(-300))}; stderr: ${stderr.slice(-500)}`))
      }, timeoutMs)
      const check = () => {
        const found = match(buffer)
        // Long outputs (the memory run's) are not searched over and over: only their tail can still match.
        if (found === undefined) return void (buffer.length > 4096 && (buffer = buffer.slice(-1024)))
        clearTimeout(timer)
        waiter = undefined
        buffer = buffer.slice(found.end)
        resolve(found.value)
      }
      waiter = check
      check()
    })
  const value = (text) =>
    Object.assign(
      (output) => {
        let at = output.indexOf(`${text}\n`)
        while (at > 0 && output[at - 1] !== ' ' && output[at - 1] !== '\n') at = output.indexOf(`${text}\n`, at + 1)
        return at < 0 ? undefined : { end: at + text.length + 1, value: text }
      },
      { what: `result ${text}` }
    )
  /** The pid the REPL reports for its evaluating process (Cortex: the runtime child). */
  const pid = async () => {
    child.stdin.write(`${repl.pidInput}\n`)
    const found = await until(
      Object.assign(
        (output) => {
          const match = /(?:^|\n|> |: )(\d+)\n/.exec(output)
          return match ? { end: match.index + match[0].length, value: Number(match[1]) } : undefined
        },
        { what: 'pid' }
      )
    )
    return found
  }
  const close = async () => {
    child.stdin.end()
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
    rmSync(cwd, { recursive: true, force: true })
  }
  return { child, until, value, pid, close }
}

/** CPU time (user + system) a process has used so far, in ms; NaN once it is gone. */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
  } catch {
    return NaN
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

/**
 * One fresh REPL: `warmup + count` inputs `1 + i`, each written once the previous result arrived.
 * Returns the measured inputs' round trips (ms), and the CPU time the REPL's processes (Cortex:
 * client and runtime) used per measured input: unlike wall time, hardly touched by other load.
 */
async function roundTrips(repl, count, warmup, input = ARITHMETIC_INPUT) {
  const session = startRepl(repl)
  const times = []
  try {
    const pids = [...new Set([session.child.pid, await session.pid()])]
    const cpu = () => pids.reduce((sum, pid) => sum + cpuOf(pid), 0)
    let cpuBefore = 0
    for (let i = 0; i < warmup + count; i++) {
      if (i === warmup) cpuBefore = cpu()
      const started = process.hrtime.bigint()
      session.child.stdin.write(`${input(i)}\n`)
      await session.until(session.value(String(1 + i)))
      if (i >= warmup) times.push(Number(process.hrtime.bigint() - started) / 1e6)
    }
    return { times, cpuMs: cpu() - cpuBefore }
  } finally {
    await session.close()
  }
}

/** From spawning a fresh REPL (in an empty folder) to the result of its first input, `1 + 1`, written at once (ms). */
async function startup(repl) {
  const started = performance.now()
  const session = startRepl(repl)
  try {
    session.child.stdin.write('1 + 1\n')
    await session.until(session.value('2'))
    return performance.now() - started
  } finally {
    await session.close()
  }
}

function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
  } catch {
    return { rssMb: NaN, peakMb: NaN }
  }
}

/**
 * `count` inputs that each make a 1 MB value the result (it lands in the history: `_` and, in
 * Cortex, `_1…_10`), written all at once (the REPL runs them in turn). Memory is the evaluating
 * process's: Cortex's runtime child, or node itself; its pid is asked from the REPL.
 */
async function memory(repl, count) {
  const session = startRepl(repl)
  try {
    const pid = await session.pid()
    const before = memoryOf(pid)
    let maxRssMb = before.rssMb
    const sampler = setInterval(() => (maxRssMb = Math.max(maxRssMb, memoryOf(pid).rssMb)), 50)
    const started = performance.now()
    session.child.stdin.write('new Uint8Array(1 << 20).fill(1)\n'.repeat(count))
    session.child.stdin.write('"mem" + "-done"\n')
    await session.until(session.value("'mem-done'"), 20 * 60_000)
    const wallMs = performance.now() - started
    clearInterval(sampler)
    const after = memoryOf(pid)
    return { pid, beforeMb: before.rssMb, peakMb: after.peakMb, endMb: after.rssMb, maxSampledMb: Math.max(maxRssMb, after.rssMb), wallMs }
  } finally {
    await session.close()
  }
}

/** Runs a step, printing its label and duration. */
async function timed(label, task) {
  process.stdout.write(`  ${label}…`)
  const started = performance.now()
  try {
    const result = await task()
    process.stdout.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
    return result
  } catch (error) {
    process.stdout.write(' failed\n')
    throw error
  }
}

const stats = (times) => ({
  median: median(times),
  p99: percentile(times, 0.99),
  mean: times.reduce((a, b) => a + b, 0) / times.length,
  max: Math.max(...times),
  n: times.length
})

export async function run({ quick = false } = {}) {
  const count = quick ? 200 : 1000
  const warmup = quick ? 50 : 200
  // Five fresh processes of each REPL: single processes' medians differ by 10–20 % on this kind of machine.
  const rounds = quick ? 1 : 5
  const memoryCount = quick ? 1000 : 10_000
  const many = (n) => n.toLocaleString('en-US')

  if (!isBuildCurrent(['out/main/terminal.js', 'out/main/runtime.js', 'out/main/runtime-inprocess.js']))
    await timed('building Cortex (electron-vite)', async () => build() || Promise.reject(new Error('the build failed')))
  const out = await timed('building the direct-IPC scenario (vite)', () => buildEntries({ direct: 'bench/repl/direct.ts' }))
  const ipython = ipythonVersion()
  if (!ipython) console.log(`  ${IPYTHON_MISSING}: its column is skipped`)
  const load = os.loadavg()[0]

  // Rounds alternate the REPLs, each a fresh process, so a noisy moment does not land on one of them only.
  const samples = { cortex: [], cortexProcess: [], node: [], ipython: [], cortexParsed: [], nodeParsed: [], cortexSteady: [], nodeSteady: [] }
  const steadyWarmup = quick ? 500 : 5000
  const cpuMs = { cortex: 0, cortexProcess: 0, node: 0, ipython: 0 }
  const direct = { pingMs: [], evaluateMs: [] }
  const names = ['cortex', 'cortexProcess', 'node', ...(ipython ? ['ipython'] : [])]
  const startMs = { cortex: [], cortexProcess: [], node: [], ipython: [] }
  const starts = quick ? 1 : 3
  for (let round = 1; round <= rounds; round++) {
    const which = rounds > 1 ? ` (round ${round} of ${rounds})` : ''
    await timed(`start to first result, ${starts} fresh processes of each REPL${which}`, async () => {
      for (let i = 0; i < starts; i++) for (const name of names) startMs[name].push(await startup(REPLS[name]))
    })
    for (const name of names) {
      const measured = await timed(`${REPLS[name].name}: ${many(count)} inputs, one at a time${which}`, () => roundTrips(REPLS[name], count, warmup))
      samples[name].push(...measured.times)
      cpuMs[name] += measured.cpuMs
    }
    for (const [name, repl] of [
      ['cortexParsed', REPLS.cortex],
      ['nodeParsed', REPLS.node]
    ]) {
      const measured = await timed(`${repl.name}: ${many(count)} inputs \`${PARSED_INPUT('i')}\`${which}`, () => roundTrips(repl, count, warmup, PARSED_INPUT))
      samples[name].push(...measured.times)
    }
    for (const [name, repl] of [
      ['cortexSteady', REPLS.cortex],
      ['nodeSteady', REPLS.node]
    ]) {
      const measured = await timed(`${repl.name}: ${many(count)} inputs after ${many(steadyWarmup)}${which}`, () => roundTrips(repl, count, steadyWarmup))
      samples[name].push(...measured.times)
    }
    const { result } = await timed(`runtime straight over IPC, no terminal client: ${many(count)} pings and evaluations${which}`, () =>
      runChild(out.direct, [RUNTIME, String(count), String(warmup)], { label: 'direct' })
    )
    direct.pingMs.push(...result.pingMs)
    direct.evaluateMs.push(...result.evaluateMs)
  }
  const cortexMemory = await timed(`Cortex: ${many(memoryCount)} inputs with a 1 MB result each`, () => memory(REPLS.cortex, memoryCount))
  const nodeMemory = await timed(`node -i: the same ${many(memoryCount)} inputs`, () => memory(REPLS.node, memoryCount))

  const c = stats(samples.cortex)
  const cp = stats(samples.cortexProcess)
  const n = stats(samples.node)
  const cq = stats(samples.cortexParsed)
  const nq = stats(samples.nodeParsed)
  const cs = stats(samples.cortexSteady)
  const ns = stats(samples.nodeSteady)
  const p = ipython ? stats(samples.ipython) : undefined
  const ping = stats(direct.pingMs)
  const evaluate = stats(direct.evaluateMs)
  const ipy = (key, digits) => (p ? fixed(p[key], digits) : 'not installed')
  /** Median and p99 rows with no target: Cortex's and node -i's round trips in another setting. */
  const referenceRows = (label, cortex, node) =>
    ['median', 'p99'].map((key) => [
      `${label}: round trip, ${key} (ms)`,
      fixed(cortex[key], 3),
      fixed(node[key], 3),
      'not measured',
      ratio(cortex[key], node[key]),
      '(none)',
      '—'
    ])
  const startRow = (label, cortexMs) => [
    label,
    fixed(median(cortexMs), 0),
    fixed(median(startMs.node), 0),
    p ? fixed(median(startMs.ipython), 0) : 'not installed',
    ratio(median(cortexMs), median(startMs.node)),
    '(none)',
    '—'
  ]
  const rows = [
    [
      'round trip, median (ms)',
      fixed(c.median, 3),
      fixed(n.median, 3),
      ipy('median', 3),
      ratio(c.median, n.median),
      MEDIAN_TARGET,
      verdict(c.median <= n.median)
    ],
    [
      'round trip, p99 (ms)',
      fixed(c.p99, 3),
      fixed(n.p99, 3),
      ipy('p99', 3),
      ratio(c.p99, n.p99),
      `Cortex < ${P99_TARGET_MS} ms`,
      verdict(c.p99 < P99_TARGET_MS)
    ],
    ['round trip, mean (ms)', fixed(c.mean, 3), fixed(n.mean, 3), ipy('mean', 3), ratio(c.mean, n.mean), '(none)', '—'],
    // An input Cortex parses (the client to split inputs, the runtime to rewrite it), for reference.
    ...referenceRows(`input \`${PARSED_INPUT('i')}\``, cq, nq),
    // The same REPLs once warm (JIT-compiled, heap grown), for reference: the targets are the rows above.
    ...referenceRows(`after ${many(steadyWarmup)} inputs`, cs, ns),
    // The separate runtime process, for reference: the targets are the pipe mode's.
    [
      'with a runtime process (--runtime-process): round trip, median (ms)',
      fixed(cp.median, 3),
      fixed(n.median, 3),
      ipy('median', 3),
      ratio(cp.median, n.median),
      `(reference) ${MEDIAN_TARGET}`,
      `(${verdict(cp.median <= n.median)})`
    ],
    [
      'with a runtime process (--runtime-process): round trip, p99 (ms)',
      fixed(cp.p99, 3),
      fixed(n.p99, 3),
      ipy('p99', 3),
      ratio(cp.p99, n.p99),
      `(reference) < ${P99_TARGET_MS} ms`,
      `(${verdict(cp.p99 < P99_TARGET_MS)})`
    ],
    startRow('start to first result: a fresh process given `1 + 1` (ms)', startMs.cortex),
    startRow('with a runtime process: start to first result (ms)', startMs.cortexProcess),
    [
      "CPU time per input, all of the REPL's processes (µs)",
      fixed((cpuMs.cortex * 1000) / c.n, 0),
      fixed((cpuMs.node * 1000) / n.n, 0),
      p ? fixed((cpuMs.ipython * 1000) / p.n, 0) : 'not installed',
      ratio(cpuMs.cortex / c.n, cpuMs.node / n.n),
      '(none)',
      '—'
    ],
    [
      'with a runtime process: CPU time per input, client and runtime (µs)',
      fixed((cpuMs.cortexProcess * 1000) / cp.n, 0),
      fixed((cpuMs.node * 1000) / n.n, 0),
      p ? fixed((cpuMs.ipython * 1000) / p.n, 0) : 'not installed',
      ratio(cpuMs.cortexProcess / cp.n, cpuMs.node / n.n),
      '(none)',
      '—'
    ],
    [
      `${many(memoryCount)} × 1 MB results: peak RSS of the evaluating process (MB)`,
      fixed(cortexMemory.peakMb, 0),
      fixed(nodeMemory.peakMb, 0),
      'not measured',
      ratio(cortexMemory.peakMb, nodeMemory.peakMb),
      `Cortex < ${RSS_TARGET_MB} MB`,
      verdict(cortexMemory.peakMb < RSS_TARGET_MB)
    ]
  ]
  const header = ['scenario', 'Cortex', 'node -i', 'IPython', 'Cortex / node -i', 'target', 'result']
  const failed = rows.filter((r) => r[6] === 'FAIL').map((r) => r[0])

  const m = machine()
  const versions = `node -i: Node ${process.version}; IPython: ${ipython ?? 'not installed'}`
  const details = [
    `Which path the targets are for: the pipe mode (\`… | cortex\`, \`cortex --script\`), whose runtime runs in the terminal client's process (one process and two pipe writes per input, as node -i). The interactive terminal and the window keep a runtime process of their own (the "with a runtime process" rows): an input that crashes it or calls process.exit() leaves the prompt standing, at the price of an IPC round trip and a second process to wake.`,
    `Round trips: ${many(c.n)} inputs per REPL (${rounds} fresh process${rounds > 1 ? 'es' : ''} × ${many(count)}, after ${warmup} warm-up inputs each); max Cortex ${fixed(c.max, 2)} ms (with a runtime process ${fixed(cp.max, 2)} ms), node -i ${fixed(n.max, 2)} ms${p ? `, IPython ${fixed(p.max, 2)} ms` : ''}. Load average (1 min) when the group started: ${fixed(load, 2)} on ${m.cores} cores.`,
    `Where Cortex's round trip goes: the runtime straight over IPC from an RpcClient (no terminal client, no pipes): runtime.ping median ${fixed(ping.median, 3)} ms (p99 ${fixed(ping.p99, 3)}), repl.evaluate \`1 + i\` median ${fixed(evaluate.median, 3)} ms (p99 ${fixed(evaluate.p99, 3)}). So of the ${fixed(cp.median, 3)} ms median with a runtime process: about ${fixed(ping.median, 3)} ms is the IPC transport's floor, ${fixed(evaluate.median - ping.median, 3)} ms what the runtime adds to evaluate, and ${fixed(cp.median - evaluate.median, 3)} ms the terminal client and its two pipes.`,
    `Memory, Cortex (pipe mode: the terminal client's process, pid ${cortexMemory.pid}, which holds the runtime): ${fixed(cortexMemory.beforeMb, 0)} MB before, peak (VmHWM) ${fixed(cortexMemory.peakMb, 0)} MB, ${fixed(cortexMemory.endMb, 0)} MB at the end, ${fixed(cortexMemory.wallMs / 1000, 1)} s for ${many(memoryCount)} inputs. node -i: ${fixed(nodeMemory.beforeMb, 0)} MB before, peak ${fixed(nodeMemory.peakMb, 0)} MB, ${fixed(nodeMemory.endMb, 0)} MB at the end, ${fixed(nodeMemory.wallMs / 1000, 1)} s (it keeps only \`_\`; Cortex keeps \`_1…_10\`).`
  ]
  const text = [
    textTable(header, rows),
    '',
    ...details,
    ...(ipython ? [] : ['', IPYTHON_MISSING]),
    '',
    failed.length ? `Targets not met: ${failed.join('; ')}` : 'Every target met.'
  ].join('\n')

  const markdown = `## ${title}

${m.date.toISOString().slice(0, 10)} · ${m.cpu}, ${m.cores} cores · Node ${m.node} (${m.platform}) · ${versions}${quick ? ' · **quick run (--quick): fewer inputs**' : ''}

${markdownTable(header, rows)}

${details.map((d) => `- ${d}`).join('\n')}

How it is measured (\`bench/repl/\`):

- **Round trip**: each REPL runs as a fresh child with its stdin and stdout as pipes: Cortex as \`node out/main/terminal.js\` (the pipe mode of \`npx cortex\`: the runtime runs in the terminal client's process, over an in-memory port pair) and as \`node out/main/terminal.js --runtime-process\` (the terminal client forks its runtime and talks to it over IPC, as the interactive terminal does), \`node -i\` (Node's REPL), \`ipython3 --simple-prompt\` (unbuffered). The benchmark writes \`1 + i\` and a newline, waits until the result \`1 + i\` shows on stdout as a whole value, then writes the next; the time from the write to the result is one sample. Medians and p99 are over all samples; ratios are Cortex ÷ node -i. Notes: \`1 + i\` is bare arithmetic (names and integers joined by \`+ - * / %\`), which Cortex neither parses to split the input nor to rewrite it (src/common/repl/arithmetic.ts); the \`${PARSED_INPUT('i')}\` rows show an input it parses twice (acorn, 20–40 µs a parse here). Neither input can loop, so Cortex evaluates them without its SIGINT watchdog (a thread per evaluation, about 75 µs); inputs with calls, loops or member access pay that too. \`node -i\` runs every input under its watchdog, on a pipe too (its REPL sets breakEvalOnSigint; in a CPU profile here the watchdog's start and stop were about a third of node -i's CPU per input). In the pipe mode the runtime records spans only when asked (a collector, CORTEX_TRACING=on, \`%trace on\`): there is no timeline to show them; with a runtime process it records them, as for the window. The process that holds Cortex's runtime runs V8's background threads (optimizing compiler, concurrent GC) at SCHED_IDLE (src/runtime/background-threads.ts: on two cores they kept the reader of the output waiting for a scheduler slice); node -i and IPython keep the normal policy for all their threads.
- **After ${many(steadyWarmup)} inputs**: the same round trip in a fresh Cortex (pipe mode) and node -i that first ran ${many(steadyWarmup)} inputs, one per round: what each costs once warm. For reference only; the targets are the rows measured after ${warmup} warm-up inputs.
- **Start to first result**: from spawning the REPL (in a fresh, empty folder) to the result of \`1 + 1\`, written at once; ${starts} starts of each REPL per round, alternating, median over all.
- **CPU time per input**: user + system time from \`/proc/<pid>/stat\` over the measured inputs, summed over the REPL's processes (Cortex's pipe mode and node -i and IPython: one process each; Cortex with a runtime process: the terminal client and its runtime), divided by the inputs. On a busy machine wall times grow with the number of processes a round trip must wake (Cortex with a runtime process: client, runtime, client; the pipe mode and node -i: one); CPU time hardly does.
- **Where the time goes**: \`bench/repl/direct.ts\` starts the runtime as the terminal client does (launchRuntimeChild, one mux channel, RpcClient) and times \`runtime.ping\` and \`repl.evaluate\` from that process.
- **Memory**: ${many(memoryCount)} inputs \`new Uint8Array(1 << 20).fill(1)\` written at once (each REPL runs them in turn), then a marker input; the peak is the evaluating process's \`VmHWM\` from \`/proc/<pid>/status\` (Cortex: the pipe mode's one process, whose pid the REPL itself reports; node -i: the node process).
`
  return { text, markdown, failed }
}
