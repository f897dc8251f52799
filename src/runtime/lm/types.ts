import type { AnyNodeDef, NodeInstance } from '../graph/node'

/**
 * The LM as the graph engine sees it (bae's protocol): fill a node's plain fields, or choose which
 * node comes next. `StructuredLm` implements it on top of any {@link LmBackend}.
 */
export interface LanguageModel {
  /**
   * Produces an instance of `target`: `context` (its resolved deps, recalls and gates) is merged
   * with the plain fields the LM fills; `source` (the node we come from) is shown as input data.
   */
  fill(target: AnyNodeDef, context: Record<string, unknown>, instruction: string, source: NodeInstance | undefined, options: CallOptions): Promise<NodeInstance>
  /**
   * Picks the next node among `candidates`, given the current node's fields as `context`. When
   * `canStop` (the node declared `null` among its successors) "stop" is offered too → null.
   */
  chooseType(candidates: readonly AnyNodeDef[], context: Record<string, unknown>, options: ChooseOptions): Promise<AnyNodeDef | null>
}

export interface CallOptions {
  readonly signal: AbortSignal
}

export interface ChooseOptions extends CallOptions {
  readonly canStop?: boolean
  /** The node we decide from (names the request in recordings and traces). */
  readonly from?: string
}

/** A JSON schema object, as sent to a model for structured output. */
export type JsonSchema = Record<string, unknown>

/** One structured-output request to a model backend. */
export interface LmRequest {
  readonly kind: 'fill' | 'choose'
  /** The node being filled, or (choose) the node we decide from. */
  readonly node: string
  readonly prompt: string
  readonly schema: JsonSchema
  readonly signal: AbortSignal
}

export interface TokenUsage {
  inputTokens: number
  outputTokens: number
}

export interface LmResponse {
  /** The parsed JSON the model produced; validated by the caller. */
  readonly output: unknown
  readonly usage?: TokenUsage
  readonly model?: string
  readonly finishReason?: string
}

/** A model behind one method: Anthropic, the Claude CLI, a replay of recorded answers, a mock. */
export interface LmBackend {
  /** e.g. 'anthropic', 'claude-cli', 'replay', 'mock' (the GenAI provider name in traces). */
  readonly provider: string
  readonly model: string
  generate(request: LmRequest): Promise<LmResponse>
}
