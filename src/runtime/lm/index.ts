/** LM backends behind one protocol; see types.ts. */
import { StructuredLm, type StructuredLmOptions } from './structured-lm'
import type { LmBackend } from './types'

export { MockBackend, type MockScript } from './mock'
export { ReplayBackend, ReplayMissError, record, requestKey, parseRecording, type RecordedCall } from './replay'
export { StructuredLm, type LmCall, type StructuredLmOptions } from './structured-lm'
export { fillPrompt, choosePrompt, fillJsonSchema, plainSchema, toStrictSchema } from './prompt'
export { AnthropicBackend, AnthropicApiError, DEFAULT_ANTHROPIC_MODEL, RESPOND_TOOL, type AnthropicBackendOptions } from './anthropic'
export {
  ClaudeCliBackend,
  ClaudeCliError,
  DEFAULT_CLAUDE_CLI_MODEL,
  DEFAULT_SYSTEM_PROMPT,
  stripFormat,
  parseClaudeCliOutput,
  claudeCliArgs,
  type ClaudeCliBackendOptions
} from './claude-cli'
export type { LanguageModel, LmBackend, LmRequest, LmResponse, TokenUsage, JsonSchema } from './types'

/** bae's LM protocol over a backend: `createLm(new ReplayBackend(calls), { retries: 1 })`. */
export function createLm(backend: LmBackend, options?: StructuredLmOptions): StructuredLm {
  return new StructuredLm(backend, options)
}
