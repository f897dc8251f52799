// The tracing group: what recording spans costs, tracing off against on in the same process.
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildEntries, projectRoot } from '../lib/build.mjs'
import { runChild } from '../lib/child.mjs'
import { machine, markdownTable, textTable } from '../lib/report.mjs'

export const title = 'Tracing overhead: the same runs with tracing off and on'

const OVERHEAD_TARGET = 5 // %
const SPAN_TARGET_US = 5
const RECORDING = 'examples/ootd/recording.jsonl'

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '—')
const verdict = (ok) => (ok ? 'pass' : 'FAIL')

export async function run({ quick = false } = {}) {
  const rounds = quick ? 3 : 9
  const minMs = quick ? 150 : 300
  process.stdout.write('  building the scenarios (vite)…')
  let started = performance.now()
  const out = await buildEntries({ tracing: 'bench/tracing/child.ts' })
  process.stdout.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  // Several processes: one process's figures move with its own JIT and heap layout (the same code
  // gave 6 and 11 µs a span in two runs); the rounds of all of them are pooled.
  const processes = quick ? 1 : 3
  process.stdout.write(`  off and on, ${processes} processes × ${rounds} rounds of ${minMs} ms per scenario…`)
  started = performance.now()
  const results = []
  for (let i = 0; i < processes; i++) {
    const { result, messages } = await runChild(out.tracing, [join(projectRoot, RECORDING), String(rounds), String(minMs)], { label: 'tracing' })
    for (const message of messages) console.log(`    stderr: ${message}`)
    results.push(result)
  }
  process.stdout.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`)

  // Paired: each round measured off and on back to back, so slow drift of the machine cancels out.
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b)
    const middle = sorted.length >> 1
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
  const result = { ...results[0], batches: results.reduce((sum, r) => sum + r.batches, 0), scenarios: {} }
  for (const name of Object.keys(results[0].scenarios)) {
    const samples = { on: results.flatMap((r) => r.scenarios[name].samples.on), off: results.flatMap((r) => r.scenarios[name].samples.off) }
    result.scenarios[name] = { ...results[0].scenarios[name], samples, onMs: median(samples.on), offMs: median(samples.off) }
  }
  const { ootd, fanOut, spans } = result.scenarios
  const paired = (s, f) => median(s.samples.on.map((on, i) => f(on, s.samples.off[i])))
  const overhead = (s) => paired(s, (on, off) => ((on - off) / off) * 100)
  const perSpanUs = paired(spans, (on, off) => ((on - off) * 1000) / spans.spans)
  const header = ['scenario', 'tracing off', 'tracing on', 'overhead', 'target', 'result']
  const rows = [
    [
      `OOTD replay run, ${result.lmMs} ms per LM call (${ootd.spans} spans, ${ootd.events} events)`,
      `${fixed(ootd.offMs, 3)} ms`,
      `${fixed(ootd.onMs, 3)} ms`,
      `${fixed(overhead(ootd), 1)} %`,
      `< ${OVERHEAD_TARGET} %`,
      verdict(overhead(ootd) < OVERHEAD_TARGET)
    ],
    [
      `${result.width}-dep node + LM-filled node, ${result.lmMs} ms LM (${fanOut.spans} spans, ${fanOut.events} events)`,
      `${fixed(fanOut.offMs, 3)} ms`,
      `${fixed(fanOut.onMs, 3)} ms`,
      `${fixed(overhead(fanOut), 1)} %`,
      `< ${OVERHEAD_TARGET} %`,
      verdict(overhead(fanOut) < OVERHEAD_TARGET)
    ],
    [
      `${result.width} deps with a span each, no LM (${spans.spans} spans): cost per span`,
      `${fixed(spans.offMs * 1000, 0)} µs/run`,
      `${fixed(spans.onMs * 1000, 0)} µs/run`,
      `${fixed(perSpanUs, 2)} µs/span`,
      `≤ ${SPAN_TARGET_US} µs/span`,
      verdict(perSpanUs <= SPAN_TARGET_US)
    ]
  ]
  const failed = rows.filter((r) => r[5] === 'FAIL').map((r) => r[0])
  // The spread between processes (the same code differs by a factor of two between them): each one's own paired median.
  const each = (name, f, digits, unit) =>
    results.map((r) => fixed(median(r.scenarios[name].samples.on.map((on, i) => f(on, r.scenarios[name].samples.off[i]))), digits)).join(', ') + unit
  const ratio = (on, off) => ((on - off) / off) * 100
  const details = [
    `Each process on its own: OOTD ${each('ootd', ratio, 1, ' %')}; ${result.width}-dep node ${each('fanOut', ratio, 1, ' %')}; a span ${each('spans', (on, off) => ((on - off) * 1000) / spans.spans, 2, ' µs')}.`,
    `Times are medians over ${processes * rounds} rounds (${processes} processes × ${rounds}); each sample is the mean of sequential runs for at least ${minMs} ms. Tracing was switched off and on within each round (alternating which came first), in the same process; the overhead is the median of the rounds' paired differences.`,
    `Tracing on is the app's setting (the runtime's TraceSession): the SDK's NodeTracerProvider over the runtime's AsyncLocalStorage, handing out Cortex's tracer (src/runtime/tracing/span.ts), records every span for the timeline and export (src/runtime/tracing/span-store.ts), and the live feed goes out redacted every 50 ms, ended spans packed (${result.batches} batches, to a listener that drops them; in the app they cross IPC). No collector.`
  ]
  const text = [textTable(header, rows), '', ...details, '', failed.length ? `Targets not met: ${failed.join('; ')}` : 'Every target met.'].join('\n')
  const m = machine()
  const markdown = `## ${title}

${m.date.toISOString().slice(0, 10)} · ${m.cpu}, ${m.cores} cores · Node ${m.node} (${m.platform})${quick ? ' · **quick run (--quick)**' : ''}

${markdownTable(header, rows)}

${details.map((d) => `- ${d}`).join('\n')}
- Scenarios (\`bench/tracing/child.ts\`): the OOTD example over \`${RECORDING}\`, each LM call delayed ${result.lmMs} ms; one node with ${result.width} instant deps (recorded as events on the node's span) followed by a node an LM fills in ${result.lmMs} ms; one node with ${result.width} instant deps marked \`.withSpan()\` and no LM, whose extra time per run over its span count is the cost of a span. Every run is wrapped in a \`repl.input\` span, as the REPL does.
`
  return { text, markdown, failed }
}
