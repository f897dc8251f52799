import { z } from 'zod'
import { SpanDto } from './trace-contract'

/** Where a node field's value comes from (as the inspector shows it on instances). */
export const FieldOrigin = z.enum(['LM', 'dep', 'node-dep', 'recall', 'gate'])
export type FieldOrigin = z.infer<typeof FieldOrigin>

export const GraphNodeDto = z.object({
  name: z.string(),
  fields: z.array(z.object({ name: z.string(), origin: FieldOrigin })),
  /** The nodes it may go to, in declaration order. */
  successors: z.array(z.string()),
  /** It may end the run: a `null` successor (the LM may stop), or no successors at all. */
  canStop: z.boolean(),
  /** No successors: the run always ends here. */
  isTerminal: z.boolean()
})
export type GraphNodeDto = z.infer<typeof GraphNodeDto>

/** A graph of the namespace as the graph view draws it: its nodes (start first) and edges (`to: null` ends the run). */
export const GraphTopology = z.object({
  /** The binding that holds it (`ootd`). */
  name: z.string(),
  /** The start node's name; runs name their graph by it. */
  start: z.string(),
  nodes: z.array(GraphNodeDto),
  edges: z.array(z.object({ from: z.string(), to: z.string().nullable() }))
})
export type GraphTopology = z.infer<typeof GraphTopology>

/**
 * Where a graph run is: the node it is on (the node whose step runs, or whose gate waits), and its
 * state. A run that ended is sent once more with its final state: views clear it then.
 */
export const GraphProgress = z.object({
  runId: z.string(),
  /** The start node's name (see GraphTopology.start). */
  graph: z.string(),
  node: z.string().optional(),
  step: z.number().int().nonnegative().optional(),
  state: z.enum(['running', 'waiting', 'done', 'failed', 'cancelled'])
})
export type GraphProgress = z.infer<typeof GraphProgress>

/** A span selected in a window: the runtime binds `$span` and `$node` for it. */
export const SpanSelection = z.object({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  /**
   * The span and its ancestors (nearest first) as the window has them. Used only when the runtime
   * does not know the span (an imported trace): then `$span` is this, and `$node` stays undefined.
   */
  given: z.array(SpanDto).max(64)
})

export const SelectionResult = z.object({
  /** The line the REPL prints: what `$span` and `$node` are now. */
  summary: z.string(),
  /** The node instance's node name, when `$node` is one. */
  node: z.string().optional(),
  /** Why `$node` is undefined, if it is. */
  note: z.string().optional()
})
export type SelectionResult = z.infer<typeof SelectionResult>
