/**
 * One benchmark scenario per process; `bench/graph/index.mjs` bundles it to
 * node_modules/.cache/cortex-bench/graph.mjs and runs it:
 *
 *   node node_modules/.cache/cortex-bench/graph.mjs micro [rounds] [minMs]
 *     per-step and per-dep overhead, sequential runs, the frameworks interleaved
 *   node node_modules/.cache/cortex-bench/graph.mjs load cortex|cortex-lm|langgraph [runs]
 *     concurrent runs of the 100-node graph (cortex: bare instant LanguageModel; cortex-lm: createLm over an instant backend)
 *
 * Each framework is imported only by the scenarios that use it, so a load process holds one
 * framework only. The result is the last line of stdout, as JSON.
 */
import { median, report, timePerCall, underLoad } from './measure'
import { FAN_OUT_WIDTH, LINEAR_LENGTH } from './sizes'

type Runners = Record<'linear' | 'fanOut' | 'fanOutEmpty', () => Promise<void>>

async function runnersOf(framework: string): Promise<Runners> {
  switch (framework) {
    case 'cortex':
      return (await import('./cortex')).cortexRunners()
    case 'cortex-lm': {
      const cortex = await import('./cortex')
      return cortex.cortexRunners(cortex.structuredLm())
    }
    case 'langgraph':
      return (await import('./langgraph')).langGraphRunners()
    default:
      throw new Error(`unknown framework ${framework}`)
  }
}

/**
 * Sequential runs, each framework in turn within every round (so machine noise hits all alike);
 * per scenario the median over rounds of the mean time per run.
 */
async function micro(rounds: number, minMs: number) {
  const names = ['langgraph', 'cortex', 'cortex-lm']
  const frameworks = await Promise.all(names.map(runnersOf))
  const scenarios = ['linear', 'fanOut', 'fanOutEmpty'] as const
  // Warm-up: let the JIT settle before anything counts.
  for (const runners of frameworks) for (const scenario of scenarios) await timePerCall(runners[scenario], minMs)
  const samples: Record<string, Record<string, number[]>> = Object.fromEntries(names.map((n) => [n, { linear: [], fanOut: [], fanOutEmpty: [] }]))
  for (let round = 0; round < rounds; round++) {
    for (const scenario of scenarios) {
      for (let k = 0; k < names.length; k++) {
        const i = (k + round) % names.length
        samples[names[i]!]![scenario]!.push(await timePerCall(frameworks[i]![scenario], minMs))
      }
    }
  }
  const result: Record<string, unknown> = {}
  for (const name of names) {
    const s = samples[name]!
    const linearMs = median(s.linear!)
    const fanOutMs = median(s.fanOut!)
    const fanOutEmptyMs = median(s.fanOutEmpty!)
    result[name] = {
      stepUs: (linearMs * 1000) / LINEAR_LENGTH,
      linearRunMs: linearMs,
      depUs: ((fanOutMs - fanOutEmptyMs) * 1000) / FAN_OUT_WIDTH,
      fanOutRunMs: fanOutMs,
      fanOutEmptyRunMs: fanOutEmptyMs,
      samples: s
    }
  }
  return { rounds, minMs, linearLength: LINEAR_LENGTH, fanOutWidth: FAN_OUT_WIDTH, frameworks: result }
}

async function load(framework: string, runs: number) {
  const runners = await runnersOf(framework)
  await runners.linear() // one warm-up run: graph compiled, code paths loaded
  return { framework, ...(await underLoad(runs, runners.linear)) }
}

const [command, ...args] = process.argv.slice(2)
switch (command) {
  case 'micro':
    report(await micro(Number(args[0] ?? 7), Number(args[1] ?? 150)))
    break
  case 'load':
    report(await load(args[0] ?? 'cortex', Number(args[1] ?? 1000)))
    break
  default:
    console.error('usage: graph.mjs micro [rounds] [minMs] | load cortex|cortex-lm|langgraph [runs]')
    process.exitCode = 2
}
