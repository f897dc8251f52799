import type { GraphTopology } from '../../../common/graph-contract'

/** The id of the end marker ("stop"): no node can be called that (node names are instructions, not symbols). */
export const STOP = '⏹'

export interface LayoutBox {
  id: string
  /** Its layer: 0 for the start, then the longest forward path from it. */
  layer: number
  x: number
  y: number
  width: number
  height: number
}

export interface LayoutEdge {
  from: string
  to: string
  /** It goes back to a node on the way to it (a loop), or to itself: drawn curved beside the boxes. */
  back: boolean
  /** SVG path data. */
  path: string
}

export interface GraphLayout {
  boxes: LayoutBox[]
  edges: LayoutEdge[]
  width: number
  height: number
}

const NODE_HEIGHT = 44
const STOP_SIZE = 22
const LAYER_GAP = 40
const NODE_GAP = 24
const MARGIN = 16
/** How far a back edge bows out to the right of the boxes, per layer it climbs. */
const BACK_BOW = 28

/** A box wide enough for the name (about 7 px a character at the panel's font) and a row of field badges. */
export function boxWidth(name: string, fields: number): number {
  return Math.max(110, name.length * 7.2 + 24, fields * 14 + 24)
}

/**
 * A layered, top-down layout: edges that go back to a node on the current depth-first path from
 * the start (loops, self-loops) are set aside as back edges; the rest form a DAG, layered by the
 * longest path from the start; each layer is ordered by the mean position of its predecessors
 * (one barycentre pass), then centred. Small graphs (tens of nodes) are what this is for.
 */
export function layoutGraph(topology: GraphTopology): GraphLayout {
  const successors = new Map<string, string[]>()
  const widths = new Map<string, number>()
  for (const node of topology.nodes) {
    successors.set(node.name, [])
    widths.set(node.name, boxWidth(node.name, node.fields.length))
  }
  for (const edge of topology.edges) {
    const to = edge.to ?? STOP
    if (!successors.has(to)) {
      successors.set(to, [])
      widths.set(to, STOP_SIZE)
    }
    successors.get(edge.from)?.push(to)
  }

  // Depth-first from the start (then from anything left): back edges point at a node still on the path.
  const back = new Set<string>()
  const state = new Map<string, 'open' | 'done'>()
  const discovery: string[] = []
  const visit = (id: string): void => {
    state.set(id, 'open')
    discovery.push(id)
    for (const to of successors.get(id) ?? []) {
      if (state.get(to) === 'open') back.add(`${id}\n${to}`)
      else if (!state.has(to)) visit(to)
    }
    state.set(id, 'done')
  }
  if (successors.has(topology.start)) visit(topology.start)
  for (const id of successors.keys()) if (!state.has(id)) visit(id)
  const isBack = (from: string, to: string) => back.has(`${from}\n${to}`)

  // Longest-path layering over the forward edges, in topological order (Kahn).
  const incoming = new Map<string, number>([...successors.keys()].map((id) => [id, 0]))
  for (const [from, targets] of successors) for (const to of targets) if (!isBack(from, to)) incoming.set(to, incoming.get(to)! + 1)
  const layer = new Map<string, number>()
  const ready = discovery.filter((id) => incoming.get(id) === 0)
  for (const id of ready) layer.set(id, 0)
  while (ready.length) {
    const id = ready.shift()!
    for (const to of successors.get(id)!) {
      if (isBack(id, to)) continue
      layer.set(to, Math.max(layer.get(to) ?? 0, layer.get(id)! + 1))
      incoming.set(to, incoming.get(to)! - 1)
      if (incoming.get(to) === 0) ready.push(to)
    }
  }
  // The end marker sits below everything, so no edge to it crosses a layer upwards.
  const deepest = Math.max(0, ...[...layer].filter(([id]) => id !== STOP).map(([, l]) => l))
  if (layer.has(STOP)) layer.set(STOP, deepest + 1)

  // Layers in discovery order, then each (below the first) by the mean position of its predecessors.
  const layers: string[][] = []
  for (const id of discovery) (layers[layer.get(id)!] ??= []).push(id)
  const position = new Map<string, number>()
  layers.forEach((ids) => ids.forEach((id, i) => position.set(id, i)))
  for (let l = 1; l < layers.length; l++) {
    const ids = layers[l] ?? []
    const centre = (id: string): number => {
      const from = [...successors].filter(([source, targets]) => targets.includes(id) && !isBack(source, id) && layer.get(source)! < l)
      return from.length ? from.reduce((sum, [source]) => sum + position.get(source)!, 0) / from.length : position.get(id)!
    }
    const keys = new Map(ids.map((id) => [id, centre(id)]))
    ids.sort((a, b) => keys.get(a)! - keys.get(b)! || position.get(a)! - position.get(b)!)
    ids.forEach((id, i) => position.set(id, i))
  }

  const rowWidth = (ids: readonly string[]) => ids.reduce((sum, id) => sum + widths.get(id)!, 0) + NODE_GAP * Math.max(0, ids.length - 1)
  const contentWidth = Math.max(0, ...layers.map((ids) => rowWidth(ids ?? [])))
  const boxes = new Map<string, LayoutBox>()
  let y = MARGIN
  for (const [l, ids = []] of layers.entries()) {
    const height = ids.every((id) => id === STOP) ? STOP_SIZE : NODE_HEIGHT
    let x = MARGIN + (contentWidth - rowWidth(ids)) / 2
    for (const id of ids) {
      const width = widths.get(id)!
      const size = id === STOP ? STOP_SIZE : NODE_HEIGHT
      boxes.set(id, { id, layer: l, x, y: y + (height - size) / 2, width, height: size })
      x += width + NODE_GAP
    }
    y += height + LAYER_GAP
  }

  let bow = 0
  const edges: LayoutEdge[] = []
  for (const [from, targets] of successors) {
    for (const to of targets) {
      const a = boxes.get(from)!
      const b = boxes.get(to)!
      if (isBack(from, to)) {
        const right = Math.max(a.x + a.width, b.x + b.width)
        const out = BACK_BOW * (1 + a.layer - b.layer)
        bow = Math.max(bow, right + out - MARGIN - contentWidth)
        const ay = a.y + a.height / 2
        const by = b.y + b.height / 2
        const path =
          from === to
            ? `M ${a.x + a.width} ${ay - 8} C ${a.x + a.width + out} ${ay - 24}, ${a.x + a.width + out} ${ay + 24}, ${a.x + a.width} ${ay + 8}`
            : `M ${a.x + a.width} ${ay} C ${right + out} ${ay}, ${right + out} ${by}, ${b.x + b.width} ${by}`
        edges.push({ from, to, back: true, path })
      } else {
        const x1 = a.x + a.width / 2
        const y1 = a.y + a.height
        const x2 = b.x + b.width / 2
        const y2 = b.y
        const bend = (y2 - y1) / 2
        edges.push({ from, to, back: false, path: `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}` })
      }
    }
  }
  return { boxes: [...boxes.values()], edges, width: contentWidth + 2 * MARGIN + Math.max(0, bow), height: y - LAYER_GAP + MARGIN }
}
