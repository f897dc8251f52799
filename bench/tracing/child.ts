/**
 * Tracing overhead, off against on, in one process (`bench/tracing/index.mjs` bundles this file to
 * node_modules/.cache/cortex-bench/tracing.mjs and runs it):
 *
 *   node node_modules/.cache/cortex-bench/tracing.mjs <recording.jsonl> [rounds] [minMs]
 *
 * Scenarios, each run sequentially for at least minMs per sample, off and on alternating every round:
 * - ootd: the OOTD example over its recording, each LM call taking 1 ms;
 * - fanOut: one node with 50 deps (events on the node's span), then an LM-filled node (1 ms);
 * - spans: one node with 50 deps that each have a span of their own, no LM: the cost per span.
 * "On" is the app's setting: the SDK registered, every span recorded for the timeline, the live
 * feed batched (to a listener that drops it here; in the app it goes over IPC).
 */
import { createContextKey } from '@opentelemetry/api'
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import { ootd } from '../../examples/ootd'
import { activeContext, runInContext } from '../../src/runtime/engine/async-context'
import { dep, graph, node, type Shape } from '../../src/runtime/graph'
import { createLm, ReplayBackend, type LmBackend } from '../../src/runtime/lm'
import { secretValues } from '../../src/runtime/tracing/sdk'
import { TraceSession } from '../../src/runtime/tracing/session'
import { inSpan } from '../../src/runtime/tracing/tracer'
import { median, report, timePerCall } from '../graph/measure'

const LM_MS = 1
const WIDTH = 50

/** A backend whose every answer takes `ms` (a fast model on a local network, say). */
function delayed(backend: LmBackend, ms: number): LmBackend {
  return {
    provider: backend.provider,
    model: backend.model,
    generate: async (request) => {
      await sleep(ms)
      return backend.generate(request)
    }
  }
}

function fanOut(width: number, spanned: boolean) {
  const shape: Shape = {}
  for (let i = 0; i < width; i++) {
    const fn = dep(z.number(), () => i).named(`dep${i}`)
    shape[`dep${i}`] = spanned ? fn.withSpan() : fn
  }
  return shape
}

const [recording, rounds = '9', minMs = '300'] = process.argv.slice(2)
if (!recording) throw new Error('usage: tracing.mjs <recording.jsonl> [rounds] [minMs]')

const ootdLm = createLm(delayed(ReplayBackend.fromFile(recording), LM_MS))
const Answer = node('Answer', { value: z.number() })
const Gather = node('Gather', fanOut(WIDTH, false)).to(() => Answer)
const gather = graph(Gather)
const gatherLm = createLm(delayed({ provider: 'instant', model: 'instant', generate: async () => ({ output: { value: 1 } }) }, LM_MS))
const spanned = graph(node('Spanned', fanOut(WIDTH, true)))

// Each run is a REPL input's work, as in the app: it runs in its task's AsyncLocalStorage context
// (the runtime's one AsyncLocalStorage, which TaskManager and tracing share), and its span is the root.
const TASK = createContextKey('bench.task')
const task = { run: <T>(value: unknown, fn: () => T): T => runInContext(activeContext().setValue(TASK, value), fn) }
const asInput = (work: () => Promise<unknown>) => () => task.run({ id: 'e1' }, () => inSpan('repl.input', {}, work))
const scenarios = {
  ootd: asInput(() => ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: ootdLm })),
  fanOut: asInput(() => gather({}, { lm: gatherLm })),
  spans: asInput(() => spanned({}, {}))
}
type Scenario = keyof typeof scenarios

let batches = 0
// As the runtime sets it up: the feed redacted (secret-named variables of the environment too).
// The runtime finds them at most once a second (reading every variable takes about a millisecond);
// here the environment does not change, so once.
const secrets = secretValues(process.env)
const session = new TraceSession({ enabled: false, onBatch: () => void batches++, secrets: () => secrets })
async function setTracing(on: boolean): Promise<void> {
  if (on) session.start()
  else await session.stop()
}

/** Spans (and span events) one run of a scenario records. */
async function perRun(scenario: Scenario): Promise<{ spans: number; events: number }> {
  const before = session.spans().length
  await setTracing(true)
  await scenarios[scenario]()
  await setTracing(false)
  const spans = session.spans().slice(before)
  return { spans: spans.length, events: spans.reduce((sum, span) => sum + span.events.length, 0) }
}

const names = Object.keys(scenarios) as Scenario[]
const counts: Record<string, { spans: number; events: number }> = {}
for (const name of names) counts[name] = await perRun(name)
// Warm-up, both ways.
for (const on of [false, true]) {
  await setTracing(on)
  for (const name of names) await timePerCall(scenarios[name], Number(minMs))
}
const samples = Object.fromEntries(names.map((name) => [name, { off: [] as number[], on: [] as number[] }]))
for (let round = 0; round < Number(rounds); round++) {
  // Alternate which setting goes first, so drift hits both alike.
  for (const on of round % 2 ? [true, false] : [false, true]) {
    await setTracing(on)
    for (const name of names) samples[name]![on ? 'on' : 'off'].push(await timePerCall(scenarios[name], Number(minMs)))
  }
}
await setTracing(false)
report({
  rounds: Number(rounds),
  minMs: Number(minMs),
  lmMs: LM_MS,
  width: WIDTH,
  batches,
  scenarios: Object.fromEntries(
    names.map((name) => [name, { ...counts[name], offMs: median(samples[name]!.off), onMs: median(samples[name]!.on), samples: samples[name] }])
  )
})
