import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Graph, graph } from './graph'
import { dep, gate, recall } from './markers'
import { node } from './node'
import { graphsIn, topologyOf } from './topology'

describe('graph topology', () => {
  const Wardrobe = node('Wardrobe', { tops: z.array(z.string()) })
  const Recommend = node('Recommend', { wardrobe: Wardrobe, top: z.string() })
  const Day = node('Day', { weather: dep(z.string(), () => 'rain'), vibe: z.string() }).to(() => Recommend)
  const No = node('No', {})
  const Start = node('Start', { name: z.string(), message: gate(z.string(), 'why?') }).to(() => [Day, No])

  it('lists nodes from the start, each field with its origin, successors and ends', () => {
    const topology = topologyOf('ootd', new Graph(Start))
    expect(topology.name).toBe('ootd')
    expect(topology.start).toBe('Start')
    expect(topology.nodes.map((n) => n.name)).toEqual(['Start', 'Day', 'No', 'Recommend'])
    const byName = Object.fromEntries(topology.nodes.map((n) => [n.name, n]))
    expect(byName['Start']!.fields).toEqual([
      { name: 'name', origin: 'LM' },
      { name: 'message', origin: 'gate' }
    ])
    expect(byName['Day']!.fields.map((f) => f.origin)).toEqual(['dep', 'LM'])
    // A node filled as a dep is a field of its user, not a node of the graph.
    expect(byName['Recommend']!.fields.map((f) => f.origin)).toEqual(['node-dep', 'LM'])
    expect(byName['Start']!.successors).toEqual(['Day', 'No'])
    expect(byName['Recommend']).toMatchObject({ successors: [], isTerminal: true, canStop: true })
    expect(byName['Day']).toMatchObject({ isTerminal: false, canStop: false })
    expect(topology.edges).toEqual([
      { from: 'Start', to: 'Day' },
      { from: 'Start', to: 'No' },
      { from: 'Day', to: 'Recommend' }
    ])
  })

  it('keeps loops and a declared stop (null) as edges', () => {
    const Done = node('Done', { answer: z.string(), question: recall(z.string()) })
    const Think = node('Think', { thought: z.string() }).to(() => [Think, Done, null])
    const Ask = node('Ask', { question: z.string() }).to(() => Think)
    const topology = topologyOf('think', new Graph(Ask))
    expect(topology.edges).toEqual([
      { from: 'Ask', to: 'Think' },
      { from: 'Think', to: 'Think' },
      { from: 'Think', to: 'Done' },
      { from: 'Think', to: null }
    ])
    expect(topology.nodes.find((n) => n.name === 'Think')).toMatchObject({ canStop: true, isTerminal: false })
    expect(topology.nodes.find((n) => n.name === 'Done')!.fields.map((f) => f.origin)).toEqual(['LM', 'recall'])
  })

  it('finds graphs among bindings (graph functions and Graphs), each once, without running getters', () => {
    const ootd = graph(Start)
    let read = false
    const scope = {
      ootd,
      again: ootd.graph,
      plain: 42,
      node: Start,
      get lazy() {
        read = true
        return ootd
      }
    }
    expect(graphsIn(scope, Object.keys(scope)).map((g) => g.name)).toEqual(['ootd'])
    expect(read).toBe(false)
  })
})
