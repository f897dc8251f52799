import { z } from 'zod'

/** One child in the inspector's lazy tree: never the value itself, only what can be shown of it. */
export const InspectEntry = z.object({
  name: z.string(),
  type: z.string(),
  preview: z.string(),
  /** Whether asking for this path + name gives children (objects, arrays, maps; not getters or Proxies). */
  expandable: z.boolean(),
  /** For fields of a graph node instance: where the value came from. */
  origin: z.enum(['LM', 'dep', 'node-dep', 'recall', 'gate']).optional()
})
export type InspectEntry = z.infer<typeof InspectEntry>

export const InspectPage = z.object({
  /**
   * Names from the root: [] lists the user's bindings, then one name per level (Map and Set
   * children are `[0]`, `[1]`…). A path starting with '#runs' (not a name a binding can have) walks
   * the graph engine instead: ['#runs'] lists the runs (name g1…, type the run's state, preview its
   * graph and where it is), ['#runs', 'g1'] the run's node instances in trace order (named 0, 1…;
   * while it runs, the instances of its finished steps), and deeper paths an instance's fields.
   */
  path: z.array(z.string()),
  entries: z.array(InspectEntry),
  offset: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Why the path could not be expanded (a getter, a Proxy, a missing name), if so. */
  note: z.string().optional()
})
export type InspectPage = z.infer<typeof InspectPage>

export const CompletionItem = z.object({
  label: z.string(),
  kind: z.enum(['variable', 'function', 'class', 'property', 'method', 'keyword', 'node', 'graph']),
  detail: z.string().optional()
})
export type CompletionItem = z.infer<typeof CompletionItem>

export const Completions = z.object({
  /** The part of the input the items replace: [from, to). */
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  items: z.array(CompletionItem),
  /** True when the time budget ran out and the list is incomplete. */
  partial: z.boolean()
})
export type Completions = z.infer<typeof Completions>
