/**
 * The graph framework (a TypeScript bae): typed nodes whose name is the LM instruction, fields
 * filled by the LM, by dependency functions, from earlier nodes (recall) or by a human (gate).
 */
export { node, NodeDef, nodeOf, type AnyNodeDef, type NodeOf, type InstanceOf, type NodeInstance, type NodeContext, type Shape } from './node'
export { dep, recall, gate, effect, type Dep, type Recall, type Gate, type Effect, type DepContext } from './markers'
export {
  Graph,
  graph,
  setRunInterceptor,
  type GraphResult,
  type GraphFunction,
  type RunOptions,
  type RunObserver,
  type RunInterceptor,
  type GraphInputs
} from './graph'
export { GraphError, DepError, FillError, LmError, RecallError, GraphCancelledError, GraphDefinitionError } from './errors'
export type { GateHook, GateField } from './resolver'
