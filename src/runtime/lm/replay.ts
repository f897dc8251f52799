import { hash } from 'node:crypto'
import { appendFileSync, readFileSync } from 'node:fs'
import { z } from 'zod'
import type { SpanDto } from '../../common/trace-contract'
import { parseTraceFile } from '../../common/trace/detect'
import { REDACTED } from '../../common/trace/redact'
import { ATTR } from '../tracing/tracer'
import type { LmBackend, LmRequest, LmResponse } from './types'

/**
 * One recorded model call. Recordings are JSON Lines, one call per line, readable and diffable:
 * the prompt is kept beside its key so a changed prompt is easy to spot.
 */
export const RecordedCall = z.object({
  v: z.literal(1),
  kind: z.enum(['fill', 'choose']),
  node: z.string(),
  /** Hash of kind, node, prompt and schema: a request with the same key gets this answer. */
  key: z.string(),
  prompt: z.string(),
  output: z.unknown(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).optional(),
  model: z.string().optional()
})
export type RecordedCall = z.infer<typeof RecordedCall>

/** The schemas' JSON texts: a node's schema object is the same on every call. */
const schemaTexts = new WeakMap<object, string>()

/** A replay key: the first 128 bits of the text's SHA-256, in hex. */
function digest(text: string): string {
  return hash('sha256', text).slice(0, 32)
}

/** The replay key of a request: node and input (prompt + schema), so a run reproduces offline. */
export function requestKey(request: Pick<LmRequest, 'kind' | 'node' | 'prompt' | 'schema'>): string {
  let schema = schemaTexts.get(request.schema)
  if (schema === undefined) schemaTexts.set(request.schema, (schema = JSON.stringify(request.schema)))
  return digest(`${request.kind}\0${request.node}\0${request.prompt}\0${schema}`)
}

/**
 * The key a trace's LM call is replayed by: its kind, node and prompt, which a trace records (in
 * gen_ai.input.messages); the schema it does not, and needs not: the answer is checked against the
 * node's schema as it is replayed.
 */
export function promptKey(request: Pick<LmRequest, 'kind' | 'node' | 'prompt'>): string {
  return digest(`${request.kind}\0${request.node}\0${request.prompt}`)
}

/** Where a recorded call whose prompt had a secret redacted is found: by its kind and node. */
function redactedKey(call: Pick<LmRequest, 'kind' | 'node'>): string {
  return `${REDACTED}\0${call.kind}\0${call.node}`
}

export class ReplayMissError extends Error {
  override name = 'ReplayMissError'
}

/** Parses a JSON Lines recording; names the line of any bad entry. */
export function parseRecording(text: string, source = 'recording'): RecordedCall[] {
  const calls: RecordedCall[] = []
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      throw new Error(`${source}:${index + 1}: not JSON`)
    }
    const parsed = RecordedCall.safeParse(json)
    if (!parsed.success) throw new Error(`${source}:${index + 1}: not a recorded call: ${parsed.error.issues[0]!.message}`)
    calls.push(parsed.data)
  })
  return calls
}

/**
 * Serves recorded answers instead of calling a model. Calls with the same key are served in the
 * order recorded; past the last, the last one is served again (so many runs can share a replay).
 */
export class ReplayBackend implements LmBackend {
  readonly provider = 'replay'
  readonly model: string
  private readonly byKey = new Map<string, RecordedCall[]>()
  private readonly served = new Map<string, number>()

  /** `keyOf`: how a request finds its recorded calls (a recording's keys are requestKey's, a trace's promptKey's). */
  constructor(
    calls: readonly RecordedCall[],
    private readonly keyOf: (request: LmRequest) => string = requestKey
  ) {
    for (const call of calls) {
      this.add(call.key, call)
      // An exported trace has secrets in prompts redacted: such a call no longer matches its
      // prompt, and is served for its node, in the order recorded, when nothing matches.
      if (call.prompt.includes(REDACTED)) this.add(redactedKey(call), call)
    }
    this.model = calls.find((c) => c.model)?.model ?? 'replay'
  }

  private add(key: string, call: RecordedCall): void {
    const calls = this.byKey.get(key)
    if (calls) calls.push(call)
    else this.byKey.set(key, [call])
  }

  static fromFile(path: string): ReplayBackend {
    return new ReplayBackend(parseRecording(readFileSync(path, 'utf8'), path))
  }

  /**
   * Replays the LM calls of a trace: a trace file (OTLP JSON / JSON Lines, Jaeger JSON) or spans.
   * The trace must have been recorded with LM content (the default in Cortex).
   */
  static fromTrace(source: string | readonly SpanDto[]): ReplayBackend {
    const spans = typeof source === 'string' ? parseTraceFile(readFileSync(source, 'utf8'), source).spans : source
    return new ReplayBackend(callsFromTrace(spans, typeof source === 'string' ? source : 'the trace'), promptKey)
  }

  async generate(request: LmRequest): Promise<LmResponse> {
    request.signal.throwIfAborted()
    let key = this.keyOf(request)
    let calls = this.byKey.get(key)
    if (!calls && (calls = this.byKey.get(redactedKey(request)))) key = redactedKey(request)
    if (!calls) {
      const sameNode = [...this.byKey.values()].flat().filter((c) => c.node === request.node && c.kind === request.kind).length
      throw new ReplayMissError(
        `no recorded answer for ${request.kind} ${request.node} (key ${key}): ` +
          (sameNode ? `the recording has ${sameNode} for ${request.node}, but with another prompt; re-record it` : `the recording has none for ${request.node}`)
      )
    }
    const index = this.served.get(key) ?? 0
    this.served.set(key, index + 1)
    const call = calls[Math.min(index, calls.length - 1)]!
    return { output: call.output, model: call.model ?? this.model, ...(call.usage ? { usage: call.usage } : {}) }
  }
}

/** The model calls of a trace's `chat` spans, in the order they started, keyed by {@link promptKey}. */
export function callsFromTrace(spans: readonly SpanDto[], source = 'the trace'): RecordedCall[] {
  const chats = spans.filter((span) => span.attributes[ATTR.operation] === 'chat' && span.status.code !== 'error')
  if (!chats.length) throw new Error(`${source} has no LM calls (chat spans) to replay`)
  const withContent = chats.filter(
    (span) => typeof span.attributes[ATTR.inputMessages] === 'string' && typeof span.attributes[ATTR.outputMessages] === 'string'
  )
  if (!withContent.length) throw new Error(`${source} has ${chats.length} LM calls but not their content: it was exported without gen_ai messages`)
  return withContent
    .sort((a, b) => (BigInt(a.startTime) < BigInt(b.startTime) ? -1 : BigInt(a.startTime) > BigInt(b.startTime) ? 1 : 0))
    .map((span) => {
      const attribute = (key: string) => span.attributes[key]
      const text = (messages: unknown) => (JSON.parse(String(messages)) as Array<{ parts: Array<{ content: string }> }>)[0]!.parts[0]!.content
      const inputTokens = attribute(ATTR.inputTokens)
      const outputTokens = attribute(ATTR.outputTokens)
      const model = attribute(ATTR.responseModel) ?? attribute(ATTR.requestModel)
      const kind = attribute(ATTR.lmKind)
      const node = attribute(ATTR.node)
      const prompt = text(attribute(ATTR.inputMessages))
      return RecordedCall.parse({
        v: 1,
        kind,
        node,
        key: promptKey({ kind: kind as LmRequest['kind'], node: String(node), prompt }),
        prompt,
        output: JSON.parse(text(attribute(ATTR.outputMessages))),
        ...(typeof inputTokens === 'number' && typeof outputTokens === 'number' ? { usage: { inputTokens, outputTokens } } : {}),
        ...(typeof model === 'string' ? { model } : {})
      })
    })
}

/** Wraps a backend so every answer is also written as a {@link RecordedCall} (to a JSONL file, or to a callback). */
export function record(backend: LmBackend, sink: string | ((call: RecordedCall) => void)): LmBackend {
  const write = typeof sink === 'string' ? (call: RecordedCall) => appendFileSync(sink, `${JSON.stringify(call)}\n`) : sink
  return {
    provider: backend.provider,
    model: backend.model,
    async generate(request) {
      const response = await backend.generate(request)
      write({
        v: 1,
        kind: request.kind,
        node: request.node,
        key: requestKey(request),
        prompt: request.prompt,
        output: response.output,
        ...(response.usage ? { usage: response.usage } : {}),
        model: response.model ?? backend.model
      })
      return response
    }
  }
}
