/**
 * The baseline graphs in LangGraph.js: a StateGraph of 100 nodes in a chain, each returning a
 * trivial state update; and a fan-out of N parallel branches from START joined back into one node.
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph'
import { FAN_OUT_WIDTH, LINEAR_LENGTH } from './sizes'

const LinearState = Annotation.Root({ value: Annotation<number> })

/** n0 → n1 → … → n{N-1}, each node `(state) => ({ value: state.value + 1 })`. */
export function linearGraph(length: number) {
  const builder = new StateGraph(LinearState)
  for (let i = 0; i < length; i++) builder.addNode(`n${i}`, (state: typeof LinearState.State) => ({ value: state.value + 1 }))
  const edge = builder.addEdge.bind(builder) as (from: string, to: string) => void
  edge(START, 'n0')
  for (let i = 0; i < length - 1; i++) edge(`n${i}`, `n${i + 1}`)
  edge(`n${length - 1}`, END)
  return builder.compile()
}

const FanOutState = Annotation.Root({
  results: Annotation<number[]>({ reducer: (all, more) => all.concat(more), default: () => [] }),
  total: Annotation<number>
})

/**
 * START → b0 … b{N-1} (one superstep, in parallel) → join → END. Each branch returns `{ results: [i] }`
 * (merged by a concat reducer), the way a Cortex dep returns its value; `join` sums them. With
 * width 0 the graph is START → join → END.
 */
export function fanOutGraph(width: number) {
  const builder = new StateGraph(FanOutState)
  builder.addNode('join', (state: typeof FanOutState.State) => ({ total: state.results.reduce((a, b) => a + b, 0) }))
  for (let i = 0; i < width; i++) builder.addNode(`b${i}`, () => ({ results: [i] }))
  const edge = builder.addEdge.bind(builder) as (from: string | string[], to: string) => void
  const branches = Array.from({ length: width }, (_, i) => `b${i}`)
  if (width === 0) edge(START, 'join')
  for (const branch of branches) edge(START, branch)
  if (width > 0) edge(branches, 'join')
  edge('join', END)
  return builder.compile()
}

export function langGraphRunners() {
  const linear = linearGraph(LINEAR_LENGTH)
  const fanOut = fanOutGraph(FAN_OUT_WIDTH)
  const fanOutEmpty = fanOutGraph(0)
  const config = { recursionLimit: LINEAR_LENGTH + 10 }
  const expectedTotal = (FAN_OUT_WIDTH * (FAN_OUT_WIDTH - 1)) / 2
  return {
    linear: async () => {
      const state = await linear.invoke({ value: 0 }, config)
      if (state.value !== LINEAR_LENGTH) throw new Error(`the linear run took ${state.value} steps`)
    },
    fanOut: async () => {
      const state = await fanOut.invoke({ results: [] }, config)
      if (state.total !== expectedTotal) throw new Error('the fan-out run lost a branch')
    },
    fanOutEmpty: async () => {
      await fanOutEmpty.invoke({ results: [] }, config)
    }
  }
}
