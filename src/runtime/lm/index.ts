/** LM backends behind one protocol; see types.ts. */
import { StructuredLm, type StructuredLmOptions } from './structured-lm'
import type { LmBackend } from './types'

export { MockBackend, type MockScript } from './mock'
export { ReplayBackend, ReplayMissError, record, requestKey, parseRecording, type RecordedCall } from './replay'
export { StructuredLm, type LmCall, type StructuredLmOptions } from './structured-lm'
export { fillPrompt, choosePrompt, fillJsonSchema, plainSchema, toStrictSchema } from './prompt'
export type { LanguageModel, LmBackend, LmRequest, LmResponse, TokenUsage, JsonSchema } from './types'

/** bae's LM protocol over a backend: `createLm(new ReplayBackend(calls), { retries: 1 })`. */
export function createLm(backend: LmBackend, options?: StructuredLmOptions): StructuredLm {
  return new StructuredLm(backend, options)
}
