import { describe, expect, it } from 'vitest'
import type { GraphTopology } from '../../../common/graph-contract'
import { layoutGraph, STOP, type GraphLayout } from './graph-layout'

/** A topology from `from → to` pairs (null: the run may stop there); every node without fields. */
function topology(start: string, edges: Array<[string, string | null]>): GraphTopology {
  const names = [...new Set(edges.flatMap(([from, to]) => (to ? [from, to] : [from])))]
  return {
    name: 'g',
    start,
    nodes: names.map((name) => {
      const successors = edges.filter(([from, to]) => from === name && to !== null).map(([, to]) => to!)
      return {
        name,
        fields: [],
        successors,
        canStop: successors.length === 0 || edges.some(([f, t]) => f === name && t === null),
        isTerminal: !successors.length
      }
    }),
    edges: edges.map(([from, to]) => ({ from, to }))
  }
}

const layers = (layout: GraphLayout) => Object.fromEntries(layout.boxes.map((b) => [b.id, b.layer]))
const backEdges = (layout: GraphLayout) => layout.edges.filter((e) => e.back).map((e) => `${e.from}→${e.to}`)

describe('graph layout', () => {
  it('layers by the longest path from the start (OOTD: a decision, then a chain)', () => {
    const layout = layoutGraph(
      topology('IsTheUserGettingDressed', [
        ['IsTheUserGettingDressed', 'AnticipateUsersDay'],
        ['IsTheUserGettingDressed', 'No'],
        ['AnticipateUsersDay', 'RecommendOOTD']
      ])
    )
    expect(layers(layout)).toEqual({ IsTheUserGettingDressed: 0, AnticipateUsersDay: 1, No: 1, RecommendOOTD: 2 })
    expect(backEdges(layout)).toEqual([])
    // A skip edge does not pull its target up: A → C and A → B → C puts C below B.
    expect(
      layers(
        layoutGraph(
          topology('A', [
            ['A', 'C'],
            ['A', 'B'],
            ['B', 'C']
          ])
        )
      )
    ).toEqual({ A: 0, B: 1, C: 2 })
  })

  it('sets loops aside as back edges and layers the rest (release notes: a revise loop and a self-loop)', () => {
    const layout = layoutGraph(
      topology('ReleaseRequest', [
        ['ReleaseRequest', 'DraftNotes'],
        ['DraftNotes', 'ReviseNotes'],
        ['DraftNotes', 'AskToPublish'],
        ['ReviseNotes', 'ReviseNotes'],
        ['ReviseNotes', 'AskToPublish'],
        ['AskToPublish', 'Published'],
        ['AskToPublish', 'Shelved']
      ])
    )
    expect(layers(layout)).toEqual({ ReleaseRequest: 0, DraftNotes: 1, ReviseNotes: 2, AskToPublish: 3, Published: 4, Shelved: 4 })
    expect(backEdges(layout)).toEqual(['ReviseNotes→ReviseNotes'])
    // A loop through another node: the edge back up is the back edge, and both stay in order.
    const loop = layoutGraph(
      topology('Plan', [
        ['Plan', 'Act'],
        ['Act', 'Check'],
        ['Check', 'Plan'],
        ['Check', 'Done']
      ])
    )
    expect(layers(loop)).toEqual({ Plan: 0, Act: 1, Check: 2, Done: 3 })
    expect(backEdges(loop)).toEqual(['Check→Plan'])
    // Back edges bow out to the right of every box, inside the drawing.
    const right = Math.max(...loop.boxes.map((b) => b.x + b.width))
    expect(loop.width).toBeGreaterThan(right)
  })

  it('draws a possible stop as one end marker below every node', () => {
    const layout = layoutGraph(
      topology('Ask', [
        ['Ask', 'Think'],
        ['Think', 'Think'],
        ['Think', 'Done'],
        ['Think', null],
        ['Ask', null]
      ])
    )
    expect(layers(layout)).toEqual({ Ask: 0, Think: 1, Done: 2, [STOP]: 3 })
    expect(layout.edges.filter((e) => e.to === STOP).map((e) => e.from)).toEqual(['Ask', 'Think'])
  })

  it('never overlaps boxes, keeps branches side by side, and keeps every box inside the drawing', () => {
    const layout = layoutGraph(
      topology('S', [
        ['S', 'L'],
        ['S', 'R'],
        ['R', 'r'],
        ['L', 'l'],
        ['l', 'x'],
        ['r', 'x']
      ])
    )
    for (const a of layout.boxes)
      for (const b of layout.boxes) {
        if (a === b || a.layer !== b.layer) continue
        expect(a.x + a.width <= b.x || b.x + b.width <= a.x).toBe(true)
      }
    const x = (id: string) => layout.boxes.find((b) => b.id === id)!.x
    expect(x('L')).toBeLessThan(x('R'))
    expect(x('l')).toBeLessThan(x('r'))
    expect(layout.boxes.every((b) => b.x >= 0 && b.y >= 0 && b.x + b.width <= layout.width && b.y + b.height <= layout.height)).toBe(true)
  })
})
