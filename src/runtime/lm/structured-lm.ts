import { z } from 'zod'
import { Emitter } from '../../common/event'
import { SpanKind } from '@opentelemetry/api'
import { serializeError } from '../../common/errors'
import { addAttributeLater, ATTR, capturingContent, inSpan } from '../tracing/tracer'
import { FillError, LmError } from '../graph/errors'
import type { AnyNodeDef, NodeInstance } from '../graph/node'
import { chooseJsonSchema, choosePrompt, fieldsToFill, fillJsonSchema, fillPrompt, plainSchema, STOP_CHOICE } from './prompt'
import type { CallOptions, ChooseOptions, LanguageModel, LmBackend, LmRequest, LmResponse, TokenUsage } from './types'

export interface StructuredLmOptions {
  /**
   * How many more answers to ask for when one fails validation; each retry shows the model its
   * previous answer's errors. Default 0 (bae had none): a failure is a FillError at once.
   */
  retries?: number
}

/** One completed backend call, for observers (tracing, usage meters, the timeline). */
export interface LmCall {
  readonly request: LmRequest
  readonly response: LmResponse
  readonly durationMs: number
}

interface Issue {
  path: string
  message: string
}

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))
}

const choiceSchemas = new Map<string, z.ZodType>()

/** The zod schema of a choice among `names` (built once per set of names: runs repeat their choices). */
function choiceSchema(names: readonly string[]): z.ZodType {
  const key = names.join('\0')
  let schema = choiceSchemas.get(key)
  if (!schema) {
    if (choiceSchemas.size >= 1000) choiceSchemas.clear() // bounded: a long REPL session defines many graphs
    choiceSchemas.set(key, (schema = z.object({ choice: z.enum(names as [string, ...string[]]) })))
  }
  return schema
}

/** JSON from a backend's output: parsed already, or a string that must be JSON. */
function asJson(output: unknown): { ok: true; value: unknown } | { ok: false; issue: Issue } {
  if (typeof output !== 'string') return { ok: true, value: output }
  try {
    return { ok: true, value: JSON.parse(output) as unknown }
  } catch {
    return { ok: false, issue: { path: '', message: `the answer is not JSON: ${output.slice(0, 120)}` } }
  }
}

function feedback(issues: readonly Issue[]): string {
  return `\n\nYour previous answer was invalid:\n${issues.map((i) => `- ${i.path || '(answer)'}: ${i.message}`).join('\n')}\nAnswer again, following the schema exactly.`
}

/**
 * bae's LM protocol over any backend: builds the prompt, sends the JSON schema of the plain
 * fields, validates the answer with zod (→ FillError naming node, field and message), optionally
 * retries with the errors fed back, and merges the answer with the resolved context.
 */
export class StructuredLm implements LanguageModel {
  private readonly retries: number
  private readonly calls = new Emitter<LmCall>()
  /** Token usage over all calls of this LM. */
  readonly usage: TokenUsage & { calls: number } = { inputTokens: 0, outputTokens: 0, calls: 0 }
  readonly onDidCall = this.calls.event

  constructor(
    readonly backend: LmBackend,
    options: StructuredLmOptions = {}
  ) {
    this.retries = Math.max(0, Math.floor(options.retries ?? 0))
  }

  async fill(
    target: AnyNodeDef,
    context: Record<string, unknown>,
    instruction: string,
    source: NodeInstance | undefined,
    options: CallOptions
  ): Promise<NodeInstance> {
    // Only the plain fields the context lacks are asked for; with none, there is no call at all.
    const fields = fieldsToFill(target, context)
    if (fields.length === 0) return target.make(context)
    const prompt = fillPrompt(context, instruction, source)
    const parsed = await this.ask('fill', target.name, prompt, fillJsonSchema(target, fields), plainSchema(target, fields), options)
    return target.make({ ...context, ...(parsed as Record<string, unknown>) })
  }

  async chooseType(candidates: readonly AnyNodeDef[], context: Record<string, unknown>, options: ChooseOptions): Promise<AnyNodeDef | null> {
    const canStop = options.canStop ?? false
    if (candidates.length === 1 && !canStop) return candidates[0]!
    if (candidates.length === 0) return null
    const names = [...candidates.map((c) => c.name), ...(canStop ? [STOP_CHOICE] : [])]
    const schema = choiceSchema(names)
    const { choice } = (await this.ask(
      'choose',
      options.from ?? candidates[0]!.name,
      choosePrompt(candidates, context, canStop),
      chooseJsonSchema(names),
      schema,
      options
    )) as {
      choice: string
    }
    return choice === STOP_CHOICE ? null : candidates.find((c) => c.name === choice)!
  }

  private async ask(
    kind: LmRequest['kind'],
    node: string,
    prompt: string,
    jsonSchema: Record<string, unknown>,
    schema: z.ZodType,
    options: CallOptions
  ): Promise<unknown> {
    let issues: Issue[] = []
    const attempts = this.retries + 1
    for (let attempt = 1; attempt <= attempts; attempt++) {
      options.signal.throwIfAborted()
      const request: LmRequest = { kind, node, prompt: attempt === 1 ? prompt : prompt + feedback(issues), schema: jsonSchema, signal: options.signal }
      const started = performance.now()
      let response: LmResponse
      try {
        response = await this.traced(request)
      } catch (error) {
        if (options.signal.aborted) throw error // a cancellation, not a failure of the model
        const doing = kind === 'fill' ? `filling ${node}` : `choosing what follows ${node}`
        throw new LmError(node, `the LM (${this.backend.provider}) failed while ${doing}: ${serializeError(error).message}`, { cause: error })
      }
      this.record({ request, response, durationMs: performance.now() - started })
      const json = asJson(response.output)
      if (!json.ok) {
        issues = [json.issue]
        continue
      }
      const parsed = schema.safeParse(json.value)
      if (parsed.success) return parsed.data
      issues = issuesOf(parsed.error)
    }
    const first = issues[0]!
    const what = kind === 'fill' ? node : `the choice after ${node}`
    throw new FillError(
      node,
      first.path || undefined,
      `${what}${first.path ? `.${first.path}` : ''}: ${first.message}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`,
      attempts,
      issues
    )
  }

  /**
   * One model call as a GenAI `chat` span: provider, model, tokens, finish reason and (when content
   * is captured) the prompt and the answer, so that an exported trace can drive the replay backend
   * (replay.ts promptKey).
   */
  private traced(request: LmRequest): Promise<LmResponse> {
    const { backend } = this
    return inSpan(
      `chat ${backend.model}`,
      {
        [ATTR.operation]: 'chat',
        [ATTR.provider]: backend.provider,
        [ATTR.requestModel]: backend.model,
        [ATTR.outputType]: 'json',
        [ATTR.lmKind]: request.kind,
        [ATTR.node]: request.node
      },
      async (span) => {
        const recording = span.isRecording()
        let answer: Promise<LmResponse>
        try {
          answer = backend.generate(request)
        } finally {
          // Once the call is on its way: the prompt's JSON is written while the model works, not before it starts.
          if (recording && capturingContent()) span.setAttribute(ATTR.inputMessages, inputMessages(request.prompt))
        }
        const response = await answer
        if (!recording) return response
        if (response.model) span.setAttribute(ATTR.responseModel, response.model)
        if (response.usage) {
          span.setAttribute(ATTR.inputTokens, response.usage.inputTokens)
          span.setAttribute(ATTR.outputTokens, response.usage.outputTokens)
        }
        if (response.finishReason) span.setAttribute(ATTR.finishReasons, [response.finishReason])
        // Written when the span is stored, outside the run's time: an answer's JSON is the costliest
        // part of its record (~17 µs for 1 KB after a wait). The answer is not changed meanwhile (it
        // is checked against the schema into a copy).
        if (capturingContent()) addAttributeLater(span, ATTR.outputMessages, () => outputMessages(response.output, response.finishReason))
        return response
      },
      SpanKind.CLIENT
    )
  }

  private record(call: LmCall): void {
    this.usage.calls++
    this.usage.inputTokens += call.response.usage?.inputTokens ?? 0
    this.usage.outputTokens += call.response.usage?.outputTokens ?? 0
    this.calls.fire(call)
  }
}

/*
 * The GenAI message attributes, written straight as JSON text: what JSON.stringify gives for
 * [{ role, parts: [{ type: 'text', content }] }], without building those objects on every call.
 * A graph LM call's content is recorded whole: replay reads the answer back from an exported trace,
 * and an export should show the run as it was. The assistant's spans (anthropic.ts genAiMessages,
 * the same shape; tested equal for a prompt) cut parts past 20,000 characters instead: each of its
 * model calls sends the whole conversation again, so uncut they would repeat it in every span.
 */

/** gen_ai.input.messages of a prompt. */
export function inputMessages(prompt: string): string {
  return `[{"role":"user","parts":[{"type":"text","content":${JSON.stringify(prompt)}}]}]`
}

/** gen_ai.output.messages of an answer: always JSON (gen_ai.output.type), so that replay reads back exactly what the model gave. */
export function outputMessages(output: unknown, finishReason?: string): string {
  const content = JSON.stringify(output) as string | undefined // undefined for no output: the part has no content then
  const part = content === undefined ? '{"type":"text"}' : `{"type":"text","content":${JSON.stringify(content)}}`
  const reason = finishReason ? `,"finish_reason":${JSON.stringify(finishReason)}` : ''
  return `[{"role":"assistant","parts":[${part}]${reason}}]`
}
