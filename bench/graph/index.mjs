// The graph group: Cortex's graph engine against LangGraph.js on the same graphs, in one command.
// Scenarios are TypeScript (bench/graph/*.ts), bundled with Vite and run in fresh Node processes.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildEntries, projectRoot } from '../lib/build.mjs'
import { runChild } from '../lib/child.mjs'
import { machine, markdownTable, textTable } from '../lib/report.mjs'

export const title = 'Graph engine: Cortex vs LangGraph.js'

const OOTD_GRAPH = 'examples/ootd/index.ts'
const OOTD_RECORDING = 'examples/ootd/recording.jsonl'
const STEP_TARGET = 20
const LOOP_TARGET_MS = 50

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(join(projectRoot, 'node_modules', pkg, 'package.json'), 'utf8')).version
  } catch {
    return 'not installed'
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Repeated load results as one: the median of each figure, errors summed, every max loop delay kept. */
function summarize(results) {
  const summary = { runs: results[0].runs, repeats: results.length, errors: results.reduce((sum, r) => sum + r.errors, 0) }
  for (const key of ['wallMs', 'maxRssMb', 'baselineRssMb', 'loopDelayMaxMs', 'loopDelayP99Ms', 'loopDelayMeanMs', 'maxTimerGapMs']) {
    summary[key] = median(results.map((r) => r[key]))
  }
  summary.loopDelayMaxEach = results.map((r) => r.loopDelayMaxMs)
  return summary
}

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : String(value))
const times = (ratio, word) => (Number.isFinite(ratio) ? `${ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(1)}× ${word}` : 'n/a')
const verdict = (ok) => (ok === undefined ? '—' : ok ? 'pass' : 'FAIL')

/** Runs a step, printing its label, its duration and what its process printed on stderr. */
async function timed(label, task) {
  process.stdout.write(`  ${label}…`)
  const started = performance.now()
  try {
    const outcome = await task()
    process.stdout.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
    for (const message of outcome?.messages ?? []) console.log(`    stderr: ${message}`)
    return outcome?.messages ? outcome.result : outcome
  } catch (error) {
    process.stdout.write(' failed\n')
    throw error
  }
}

/** Runs the group; returns the console text, the markdown section and the rows whose target was not met (or not measured). */
export async function run({ quick = false } = {}) {
  const runs = quick ? 100 : 1000
  const many = runs.toLocaleString('en-US')
  const rounds = quick ? 3 : 9
  const loadRepeats = quick ? 1 : 3
  const minMs = quick ? 100 : 150
  const ootdPresent = existsSync(join(projectRoot, OOTD_GRAPH)) && existsSync(join(projectRoot, OOTD_RECORDING))
  const out = await timed('building the scenarios (vite)', () =>
    buildEntries({ graph: 'bench/graph/child.ts', ...(ootdPresent ? { ootd: 'bench/graph/ootd.ts' } : {}) })
  )

  const micro = await timed(`per-step and per-dep overhead, sequential runs (${rounds} rounds, both frameworks interleaved)`, () =>
    runChild(out.graph, ['micro', String(rounds), String(minMs)], { label: 'micro' })
  )
  // Cortex's load scenarios take a second each: repeated, medians reported. LangGraph.js's takes a minute: once.
  const load = {}
  for (const [framework, name, repeats] of [
    ['cortex-lm', 'Cortex', loadRepeats],
    ['cortex', 'Cortex, bare LanguageModel', loadRepeats],
    ['langgraph', 'LangGraph.js', 1]
  ]) {
    const note = framework === 'langgraph' && !quick ? ' (about a minute)' : ''
    const results = []
    for (let i = 1; i <= repeats; i++) {
      const which = repeats > 1 ? ` (${i} of ${repeats})` : ''
      results.push(
        await timed(`${name}: ${many} concurrent runs of the ${micro.linearLength}-node graph${which}${note}`, () =>
          runChild(out.graph, ['load', framework, String(runs)], { label: `load ${framework}` })
        )
      )
    }
    load[framework] = summarize(results)
  }
  let ootd
  if (ootdPresent) {
    ootd = await timed(`OOTD: ${many} concurrent replay runs`, () =>
      runChild(out.ootd, [join(projectRoot, OOTD_RECORDING), String(runs)], { label: 'ootd' }).catch((error) => ({
        result: { crashed: String(error.message) },
        messages: []
      }))
    )
  } else {
    console.log(`  OOTD example not present (${OOTD_GRAPH} and ${OOTD_RECORDING}): the OOTD scenario is skipped`)
  }

  const { cortex: engine, 'cortex-lm': cortex, langgraph } = micro.frameworks
  const [c, e, l] = [load['cortex-lm'], load.cortex, load.langgraph]
  const rows = [
    [
      `node step, ${micro.linearLength}-node linear graph (µs/step)`,
      fixed(cortex.stepUs, 1),
      fixed(langgraph.stepUs, 0),
      times(langgraph.stepUs / cortex.stepUs, 'less'),
      `≥ ${STEP_TARGET}× less`,
      verdict(langgraph.stepUs / cortex.stepUs >= STEP_TARGET)
    ],
    [
      'node step, engine only: bare instant LanguageModel (µs/step)',
      fixed(engine.stepUs, 1),
      fixed(langgraph.stepUs, 0),
      times(langgraph.stepUs / engine.stepUs, 'less'),
      `≥ ${STEP_TARGET}× less`,
      verdict(langgraph.stepUs / engine.stepUs >= STEP_TARGET)
    ],
    [
      `dep, ${micro.fanOutWidth}-dep fan-out (µs/dep)`,
      fixed(cortex.depUs, 2),
      fixed(langgraph.depUs, 0),
      times(langgraph.depUs / cortex.depUs, 'less'),
      '(none)',
      '—'
    ],
    [`${many} concurrent runs: wall time (s)`, fixed(c.wallMs / 1000, 2), fixed(l.wallMs / 1000, 1), times(l.wallMs / c.wallMs, 'faster'), '(none)', '—'],
    [
      `${many} concurrent runs: peak RSS (MB)`,
      fixed(c.maxRssMb, 0),
      fixed(l.maxRssMb, 0),
      times(l.maxRssMb / c.maxRssMb, 'less'),
      'less than LangGraph.js',
      verdict(c.maxRssMb < l.maxRssMb)
    ],
    [
      `${many} concurrent runs: max event-loop delay (ms)`,
      fixed(c.loopDelayMaxMs, 0),
      fixed(l.loopDelayMaxMs, 0),
      times(l.loopDelayMaxMs / c.loopDelayMaxMs, 'less'),
      `Cortex ≤ ${LOOP_TARGET_MS} ms`,
      verdict(c.loopDelayMaxMs <= LOOP_TARGET_MS)
    ],
    ootd
      ? [
          `OOTD: ${many} concurrent replay runs (errors)`,
          ootd.crashed ? 'crashed' : `${ootd.errors} of ${ootd.runs.toLocaleString('en-US')}`,
          '—',
          '—',
          '0 errors',
          verdict(!ootd.crashed && ootd.errors === 0 && ootd.runs === runs)
        ]
      : [`OOTD: ${many} concurrent replay runs (errors)`, 'not present', '—', '—', '0 errors', 'skipped']
  ]
  const header = ['scenario', 'Cortex', 'LangGraph.js', 'ratio', 'target', 'result']
  const failed = rows.filter((r) => r[5] === 'FAIL' || r[5] === 'skipped').map((r) => r[0])

  const m = machine()
  const versions = `LangGraph.js: @langchain/langgraph ${versionOf('@langchain/langgraph')}, @langchain/core ${versionOf('@langchain/core')}; zod ${versionOf('zod')}`
  const details = [
    `Cortex step, engine only (bare LanguageModel): ${fixed(engine.stepUs, 2)} µs/step; through createLm: ${fixed(cortex.stepUs, 2)} µs/step; LangGraph.js ${fixed(langgraph.stepUs, 1)} µs/step (median of ${rounds} rounds of sequential runs).`,
    `Fan-out runs: Cortex ${fixed(cortex.fanOutRunMs * 1000, 1)} µs with ${micro.fanOutWidth} deps, ${fixed(cortex.fanOutEmptyRunMs * 1000, 1)} µs with none; LangGraph.js ${fixed(langgraph.fanOutRunMs, 2)} ms with ${micro.fanOutWidth} branches, ${fixed(langgraph.fanOutEmptyRunMs, 2)} ms with none.`,
    `${many} concurrent runs, Cortex through createLm${c.repeats > 1 ? ` (median of ${c.repeats})` : ''}: ${fixed(c.wallMs, 0)} ms, peak RSS ${fixed(c.maxRssMb, 0)} MB (${fixed(c.baselineRssMb, 0)} MB before the runs), loop delay max ${fixed(c.loopDelayMaxMs, 1)} / p99 ${fixed(c.loopDelayP99Ms, 1)} / mean ${fixed(c.loopDelayMeanMs, 1)} ms (longest gap of a plain 10 ms interval: ${fixed(c.maxTimerGapMs, 1)} ms), ${c.errors} errors${c.repeats > 1 ? `; max loop delay of each: ${c.loopDelayMaxEach.map((d) => fixed(d, 1)).join(', ')} ms` : ''}.`,
    `${many} concurrent runs, Cortex with a bare LanguageModel${e.repeats > 1 ? ` (median of ${e.repeats})` : ''}: ${fixed(e.wallMs, 0)} ms, peak RSS ${fixed(e.maxRssMb, 0)} MB (${fixed(e.baselineRssMb, 0)} MB before), loop delay max ${fixed(e.loopDelayMaxMs, 1)} / p99 ${fixed(e.loopDelayP99Ms, 1)} / mean ${fixed(e.loopDelayMeanMs, 1)} ms (longest gap of a plain 10 ms interval: ${fixed(e.maxTimerGapMs, 1)} ms), ${e.errors} errors${e.repeats > 1 ? `; max loop delay of each: ${e.loopDelayMaxEach.map((d) => fixed(d, 1)).join(', ')} ms` : ''}.`,
    `${many} concurrent runs, LangGraph.js: ${fixed(l.wallMs, 0)} ms, peak RSS ${fixed(l.maxRssMb, 0)} MB (${fixed(l.baselineRssMb, 0)} MB before), loop delay max ${fixed(l.loopDelayMaxMs, 1)} / p99 ${fixed(l.loopDelayP99Ms, 1)} / mean ${fixed(l.loopDelayMeanMs, 1)} ms (longest gap of a plain 10 ms interval: ${fixed(l.maxTimerGapMs, 1)} ms), ${l.errors} errors.`,
    ootd
      ? ootd.crashed
        ? `OOTD: the scenario crashed: ${ootd.crashed}`
        : `OOTD (${ootd.steps} steps per run): ${fixed(ootd.wallMs, 0)} ms for ${ootd.runs} runs, ${ootd.errors} errors${ootd.firstError ? ` (first: ${ootd.firstError})` : ''}, peak RSS ${fixed(ootd.maxRssMb, 0)} MB, loop delay max ${fixed(ootd.loopDelayMaxMs, 1)} ms.`
      : `OOTD: skipped, the example is not present (${OOTD_GRAPH}, ${OOTD_RECORDING}).`
  ]
  const text = [
    textTable(header, rows),
    '',
    ...details,
    '',
    failed.length ? `Targets not met (or not measured): ${failed.join('; ')}` : 'Every target met.'
  ].join('\n')

  const markdown = `## ${title}

${m.date.toISOString().slice(0, 10)} · ${m.cpu}, ${m.cores} cores · Node ${m.node} (${m.platform}) · ${versions}${quick ? ' · **quick run (--quick): fewer runs and rounds**' : ''}

${markdownTable(header, rows)}

${details.map((d) => `- ${d}`).join('\n')}

How it is measured (\`bench/graph/\`):

- **Node step**: sequential runs of a ${micro.linearLength}-node linear graph, run time ÷ ${micro.linearLength}. Cortex: ${micro.linearLength} nodes \`StepN\`, each with one plain \`z.number()\` field, chained with \`.to()\`; the start node gets its field as input and each later one is filled by an instant LM, either \`createLm\` over a backend that answers at once (the full path: prompt, JSON schema, zod validation) or a bare \`LanguageModel\` whose \`fill\` returns the instance (the engine alone). LangGraph.js: a \`StateGraph\` of ${micro.linearLength} nodes in a chain, each returning \`{ value: state.value + 1 }\`, invoked without a checkpointer.
- **Dep**: the marginal cost of a dep, (run with ${micro.fanOutWidth} − run with 0) ÷ ${micro.fanOutWidth}. Cortex: one node with ${micro.fanOutWidth} \`dep(z.number(), () => i)\` fields, resolved concurrently. LangGraph.js, the natural equivalent: ${micro.fanOutWidth} branches fanned out from \`START\` in one superstep, each returning \`{ results: [i] }\` into a concat reducer, joined by one \`join\` node (against \`START → join\`).
- Each sample is the mean over sequential runs for at least ${minMs} ms; the frameworks alternate within every round after a warm-up, in one process; figures are medians over ${rounds} rounds.
- **Concurrent runs**: ${many} runs of the ${micro.linearLength}-node graph started at once, each framework in a fresh \`node\` process (one warm-up run first); Cortex's scenarios ${loadRepeats > 1 ? `are repeated ${loadRepeats} times (medians reported)` : 'run once'}, LangGraph.js's once (it takes a minute). Peak RSS is the process's \`process.resourceUsage().maxRSS\`, modules included. Event-loop delay is \`perf_hooks.monitorEventLoopDelay({ resolution: 10 })\`: it records the interval between ticks of a 10 ms timer, so an idle loop shows about 10 ms and a block of B ms shows as at most B + 10 ms.
- **OOTD**: \`examples/ootd\` over \`createLm(ReplayBackend.fromFile('${OOTD_RECORDING}'))\`, inputs \`{ name: 'Dzara', user_message: 'ugh i just got up' }\`, ${many} runs at once in a fresh process.
`
  return { text, markdown, failed }
}
