import { types } from 'node:util'
import type { GraphTopology } from '../../common/graph-contract'
import { Graph } from './graph'
import type { FieldKind } from './node'

const ORIGIN = { plain: 'LM', dep: 'dep', 'node-dep': 'node-dep', recall: 'recall', gate: 'gate' } as const satisfies Record<FieldKind, string>

/** The graph a binding holds: a Graph, or a graph function (`graph(Start)`, which carries `.graph`); else undefined. */
export function graphOf(value: unknown): Graph | undefined {
  if (types.isProxy(value)) return undefined // reading it could run its traps
  if (value instanceof Graph) return value
  if (typeof value === 'function') {
    const descriptor = Object.getOwnPropertyDescriptor(value, 'graph')
    if (descriptor && 'value' in descriptor && descriptor.value instanceof Graph) return descriptor.value as Graph
  }
  return undefined
}

/** A graph's nodes (start first, in discovery order), their fields' origins, successors and ends, and its edges. */
export function topologyOf(name: string, graph: Graph): GraphTopology {
  const nodes = graph.nodes.map((def) => {
    const successors = graph.edges.get(def)!.map((target) => target.name)
    // Custom logic may also return null, but only a declared `null` (or no successor) is drawn as an end.
    const isTerminal = successors.length === 0
    return {
      name: def.name,
      fields: def.fields.map((field) => ({ name: field.name, origin: ORIGIN[field.kind] })),
      successors,
      canStop: isTerminal || def.edges.canStop,
      isTerminal
    }
  })
  const edges = nodes.flatMap((node) => [
    ...node.successors.map((to) => ({ from: node.name, to })),
    // A node that may stop has an edge to the end, unless the end is all it has (a terminal node).
    ...(node.canStop && !node.isTerminal ? [{ from: node.name, to: null }] : [])
  ])
  return { name, start: graph.start.name, nodes, edges }
}

/** The graphs among `names` of `scope` (data properties only: no getter runs), each once, under its first name. */
export function graphsIn(scope: object, names: readonly string[]): GraphTopology[] {
  const seen = new Set<Graph>()
  const topologies: GraphTopology[] = []
  for (const name of names) {
    const descriptor = Object.getOwnPropertyDescriptor(scope, name)
    const graph = descriptor && 'value' in descriptor ? graphOf(descriptor.value) : undefined
    if (!graph || seen.has(graph)) continue
    seen.add(graph)
    topologies.push(topologyOf(name, graph))
  }
  return topologies
}
