/**
 * The framework as graph files see it: `import { node, dep, graph, z, createLm } from 'cortex'`.
 * In the runtime the loader hooks serve this module's values (the very objects the REPL namespace
 * holds); in tests, examples and benchmarks the name is an alias of this file.
 */
export { z } from 'zod'
export {
  node,
  NodeDef,
  nodeOf,
  dep,
  recall,
  gate,
  effect,
  Graph,
  graph,
  GraphError,
  DepError,
  FillError,
  LmError,
  RecallError,
  GraphCancelledError,
  GraphDefinitionError,
  type AnyNodeDef,
  type NodeOf,
  type InstanceOf,
  type NodeInstance,
  type NodeContext,
  type Shape,
  type Dep,
  type Recall,
  type Gate,
  type Effect,
  type DepContext,
  type GraphResult,
  type GraphFunction,
  type RunOptions,
  type GraphInputs,
  type GateHook,
  type GateField
} from './graph'
export {
  createLm,
  MockBackend,
  ReplayBackend,
  ReplayMissError,
  record,
  requestKey,
  parseRecording,
  StructuredLm,
  type MockScript,
  type RecordedCall,
  type LanguageModel,
  type LmBackend,
  type LmRequest,
  type LmResponse
} from './lm'
export { AnthropicBackend } from './lm/anthropic'
export { ClaudeCliBackend } from './lm/claude-cli'
