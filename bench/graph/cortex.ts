/**
 * The benchmark graphs in Cortex: a 100-node linear graph (one plain, LM-filled field per node)
 * and a single node with N deps resolved concurrently.
 */
import { z } from 'zod'
import { dep, graph, node, type AnyNodeDef, type GraphFunction, type Shape } from '../../src/runtime/graph'
import { createLm, type LanguageModel, type LmBackend } from '../../src/runtime/lm'
import { FAN_OUT_WIDTH, LINEAR_LENGTH } from './sizes'

/**
 * An instant LanguageModel: fills the one plain field without prompt, schema or validation, so a
 * run measures the graph engine alone (the counterpart of a LangGraph node returning an update).
 */
export const instantLm: LanguageModel = {
  fill: async (target, context, _instruction, source) => target.make({ ...context, value: ((source?.value as number | undefined) ?? 0) + 1 }),
  chooseType: async (candidates) => candidates[0] ?? null
}

/** An instant backend: the full structured-LM path (prompt, JSON schema, zod validation) with a model that answers at once. */
export const instantBackend: LmBackend = {
  provider: 'instant',
  model: 'instant',
  generate: async () => ({ output: { value: 1 } })
}

/** The LM of a run through `createLm`, over the instant backend. */
export const structuredLm = (): LanguageModel => createLm(instantBackend)

/** N nodes in a chain, Step0 → Step1 → … → Step{N-1}; each has one plain number field. */
export function linearGraph(length: number): GraphFunction<AnyNodeDef> {
  const nodes: AnyNodeDef[] = []
  for (let i = 0; i < length; i++) nodes.push(node(`Step${i}`, { value: z.number() }))
  for (let i = 0; i < length - 1; i++) nodes[i]!.to(() => nodes[i + 1]!)
  return graph(nodes[0]!)
}

/** One terminal node with `width` dep fields, each a sync function returning its index. */
export function fanOutGraph(width: number): GraphFunction<AnyNodeDef> {
  const shape: Shape = {}
  for (let i = 0; i < width; i++) shape[`dep${i}`] = dep(z.number(), () => i)
  return graph(node(`FanOut${width}`, shape))
}

/** Runners: each call is one complete run. */
export function cortexRunners(lm: LanguageModel = instantLm) {
  const linear = linearGraph(LINEAR_LENGTH)
  const fanOut = fanOutGraph(FAN_OUT_WIDTH)
  const fanOutEmpty = fanOutGraph(0)
  const options = { lm, maxIterations: LINEAR_LENGTH }
  return {
    linear: async () => {
      const { trace, result } = await linear({ value: 0 }, options)
      if (trace.length !== LINEAR_LENGTH || result?.value === undefined) throw new Error(`the linear run took ${trace.length} steps`)
    },
    fanOut: async () => {
      const { result } = await fanOut({}, options)
      if (result?.[`dep${FAN_OUT_WIDTH - 1}`] !== FAN_OUT_WIDTH - 1) throw new Error('the fan-out run lost a dep')
    },
    fanOutEmpty: async () => {
      await fanOutEmpty({}, options)
    }
  }
}
