import type Anthropic from '@anthropic-ai/sdk'
import { SpanKind } from '@opentelemetry/api'
import { inspect } from 'node:util'
import { serializeError } from '../../common/errors'
import { DEFAULT_MODEL, keySource, type AssistantSettingsView } from '../../common/assistant-settings'
import { RESET, stripStyles } from '../../common/repl/ansi'
import { clip } from '../../common/text'
import { style } from '../../common/repl/format'
import { TerminalMarkdown } from '../../common/repl/markdown'
import type { EvalResult } from '../../common/runtime-contract'
import type { GraphEngine } from '../engine/graph-engine'
import type { OutputRouter } from '../engine/output'
import type { Task, TaskManager } from '../engine/tasks'
import type { AnyNodeDef } from '../graph/node'
import { anthropicSdk, DEFAULT_IDLE_TIMEOUT_MS, genAiMessages, streamMessage } from '../lm/anthropic'
import type { Evaluator } from '../repl/evaluator'
import { ATTR, capturingContent, inSpan, markFailed } from '../tracing/tracer'
import { budgetFor, contextFor, type ContextSources } from './context'
import { ReadOnlyEvaluator } from './read-only-eval'
import { MAX_RESULT, runReadOnlyTool, TOOLS, toolArgument, type ToolHost, type ToolOutcome } from './tools'

/** How streamed answer text is shown: Markdown rendered for the terminal, one renderer per answer (it holds state). */
export function format(): { write(chunk: string): string; end(): string } {
  return new TerminalMarkdown()
}

/** How run_code is allowed: always (no question), ask (the user approves each call), never. */
export type RunCodeMode = 'always' | 'ask' | 'never'

export const NO_KEY_MESSAGE =
  'NL mode needs an Anthropic API key. Set ANTHROPIC_API_KEY in the environment before starting Cortex ' +
  '(export ANTHROPIC_API_KEY=sk-ant-…), or in the window: File ▸ Settings… ▸ Anthropic API key.'

const SYSTEM_PROMPT = `You are the assistant inside Cortex, a live REPL (JavaScript/TypeScript, Node) where a person builds, runs and debugs agent graphs: nodes are classes whose fields an LM fills, deps, gates answered with @g1.0 value, runs g1, g2… traced with OpenTelemetry.
You share the person's live namespace. Each question comes with context: the objects it names (bounded reprs), run/trace summaries, graph definitions. Use the tools to look further instead of guessing: list_namespace, inspect, summarize_run, evaluate (read-only), run_code (changes things; the person sees it and may have to approve).
Answer briefly, in Markdown; code in fenced blocks.`

/** Past exchanges sent with a question (older ones are dropped: pitfall 7). */
const WINDOW = 4
/** An old answer is sent at most this long (a huge answer must not fill every later request). */
const OLD_ANSWER_CHARS = 20_000
/** Model calls per question: a model that keeps calling tools is stopped here. */
const MAX_ITERATIONS = 8
const WARN_SHARE = 0.8

interface Exchange {
  readonly question: string
  readonly answer: string
  /** Tool calls as their one-line summaries: what an old exchange keeps of them. */
  readonly tools: readonly string[]
}

class Conversation {
  readonly exchanges: Exchange[] = []
  contextTokens = 0
  constructor(readonly id: number) {}
}

interface Approval {
  readonly id: string
  readonly taskId: string
  readonly code: string
  resolve(approved: boolean): void
}

export interface AssistantOptions {
  readonly output: OutputRouter
  readonly tasks: TaskManager
  readonly evaluator: Evaluator
  readonly engine: GraphEngine
  userNames(): string[]
  spans: ContextSources['spans']
  /** The namespace's `ns()` listing. */
  listNamespace(): unknown
  /** The vm context's name, to find it through the inspector (read-only evaluate). */
  readonly contextName: string
  /** Where ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL are read. Default process.env. */
  readonly env?: NodeJS.ProcessEnv
  /** SDK retries of 429/5xx/connection errors. Default: the SDK's (2). */
  readonly maxRetries?: number
  readonly maxTokens?: number
  /** A started answer that sends nothing for this long (ms) fails the question. Default {@link DEFAULT_IDLE_TIMEOUT_MS}. */
  readonly idleTimeoutMs?: number
  /** The context budget in tokens, instead of the model's from CONTEXT_BUDGETS (a gateway with a smaller window; tests). */
  readonly contextBudget?: number
}

/** What started a question: an NL input, or `ai()` from code (its evaluation). */
export interface AskOptions {
  readonly signal?: AbortSignal
  readonly evalId?: number
}

export class AssistantError extends Error {
  override name = 'AssistantError'
}

/**
 * The AI in the REPL: conversations with the Anthropic Messages API, streamed to the ai channel,
 * with tools that work on the live namespace. Each question is a task (a1, a2…) whose signal
 * aborts the HTTP stream; its context is built for that question (pitfall 7).
 */
export class Assistant {
  model = DEFAULT_MODEL
  runCode: RunCodeMode = 'ask'
  // Private (#): printing the assistant never shows the key.
  #settingsKey: string | undefined
  private readonly conversations = new Map<number, Conversation>()
  private currentId = 1
  private readonly approvals = new Map<string, Approval>()
  private readonly readOnly: ReadOnlyEvaluator
  private readonly toolHost: ToolHost

  constructor(private readonly options: AssistantOptions) {
    this.readOnly = new ReadOnlyEvaluator(options.evaluator.context, options.contextName)
    const sources: ContextSources = { namespace: options.evaluator.context, engine: options.engine, spans: options.spans }
    this.toolHost = {
      sources,
      namespace: options.evaluator.context,
      userNames: options.userNames,
      listNamespace: options.listNamespace,
      readOnly: this.readOnly
    }
  }

  /** Settings from the app: a key (null forgets it: ANTHROPIC_API_KEY applies again) and/or a model. */
  configure(settings: { apiKey?: string | null; model?: string }): void {
    if (settings.apiKey !== undefined) this.#settingsKey = settings.apiKey || undefined
    if (settings.model) this.model = settings.model
  }

  /** The key's value, for redaction lists (never shown). */
  get secret(): string | undefined {
    return this.apiKey()
  }

  /** Where the key comes from (the app's one rule, common/assistant-settings.ts). */
  get keySource(): AssistantSettingsView['apiKey'] {
    return keySource(this.#settingsKey !== undefined, this.env())
  }

  get conversation(): number {
    return this.currentId
  }

  /** Makes conversation `id` the current one (created on demand). */
  switchTo(id: number): void {
    this.currentId = id
    this.conversationOf(id)
  }

  /** Starts a fresh conversation and makes it current; returns its number. */
  newConversation(): number {
    const id = Math.max(0, ...this.conversations.keys()) + 1
    this.switchTo(id)
    return id
  }

  exchanges(id = this.currentId): number {
    return this.conversations.get(id)?.exchanges.length ?? 0
  }

  /** `%ai`: the model, where the key comes from (never the key), conversations, context size. */
  status(): string {
    const key = this.keySource
    const conversations = [...this.conversations.values()].map((c) => `${c.id === this.currentId ? '*' : ''}${c.id} (${c.exchanges.length} exchanges)`)
    const current = this.conversationOf(this.currentId)
    return [
      `model: ${this.model}`,
      `key: ${key === 'settings' ? 'set from the settings' : key === 'env' ? 'set from ANTHROPIC_API_KEY' : 'missing — ' + NO_KEY_MESSAGE}`,
      `conversations: ${conversations.join(', ')} (current: ${this.currentId})`,
      `context: ${current.contextTokens.toLocaleString('en-US')} tokens of ${this.budget().toLocaleString('en-US')} (last question)`,
      `run_code: ${this.runCode}`
    ].join('\n')
  }

  /** Short repr: `ai:1 · claude-… · 3 exchanges`. */
  summary(): string {
    const n = this.exchanges()
    return `ai:${this.currentId} · ${this.model} · ${n} exchange${n === 1 ? '' : 's'}`
  }

  /** Approvals waiting for `@a1.0 yes|no`, for the status bar (with the graph gates). */
  pendingApprovals(): { id: string; node: string; field: string }[] {
    return [...this.approvals.values()].map((a) => ({ id: a.id, node: 'run_code', field: a.code.split('\n')[0]!.slice(0, 60) }))
  }

  /** Answers `@a1.0 yes` / `@a1.0 no`; throws when no such approval waits or the answer is neither. */
  answerApproval(id: string, text: string): string {
    const approval = this.approvals.get(id)
    if (!approval) {
      const waiting = [...this.approvals.keys()]
      throw new AssistantError(`no approval ${id} is waiting${waiting.length ? `; waiting: ${waiting.join(', ')}` : ''}`)
    }
    const answer = text.trim().toLowerCase()
    const approved = ['yes', 'y', 'ok', 'run'].includes(answer)
    if (!approved && !['no', 'n', 'cancel'].includes(answer)) throw new AssistantError(`answer @${id} yes or @${id} no`)
    this.approvals.delete(id)
    approval.resolve(approved)
    return `${id} ${approved ? 'approved' : 'declined'}`
  }

  /**
   * An NL input: `@2 question` switches to conversation 2 (sticky) and asks there. The answer was
   * streamed on the ai channel, so the result carries no text (the window prints nothing for it).
   */
  async input(code: string, evalId: number, signal: AbortSignal): Promise<EvalResult> {
    const switched = /^\s*@(\d+)(?:\s+([\s\S]*))?$/.exec(code)
    if (switched) this.switchTo(Number(switched[1]))
    const question = (switched ? (switched[2] ?? '') : code).trim()
    if (!question) return { evalId, ok: true, text: switched ? `conversation ${this.currentId}` : '' }
    return inSpan('repl.input', { [ATTR.evalId]: evalId, [ATTR.input]: code.slice(0, 1000), [ATTR.mode]: 'nl' }, async (span) => {
      try {
        await this.ask(question, { signal, evalId })
        return { evalId, ok: true as const, text: '' }
      } catch (error) {
        if (signal.aborted || (error as Error | undefined)?.name === 'Cancelled')
          return { evalId, ok: false as const, error: { name: 'Cancelled', message: 'the AI request was cancelled', code: 'cancelled' } }
        const serialized = serializeError(error)
        markFailed(span, serialized.message)
        return { evalId, ok: false as const, error: { name: serialized.name, message: serialized.message, code: 'ai' } }
      }
    })
  }

  /** Asks in the current conversation; streams the answer on the ai channel and returns its text. */
  async ask(question: string, options: AskOptions = {}): Promise<string> {
    const apiKey = this.apiKey()
    if (!apiKey) {
      const missing = new AssistantError(NO_KEY_MESSAGE)
      missing.name = 'NoApiKey'
      throw missing
    }
    const conversation = this.conversationOf(this.currentId)
    const parent = options.signal ?? this.options.tasks.current?.signal
    const task = this.options.tasks.create('ai', question.slice(0, 80), { channel: 'ai', ...(parent ? { parent } : {}) })
    const evalId = options.evalId ?? this.options.evaluator.currentEvalId
    const write = (text: string): void => this.options.output.write('ai', 'stdout', text, { taskId: task.id, ...(evalId ? { evalId } : {}) })
    try {
      const answer = await task.run(() => this.converse(question, conversation, task, write, apiKey))
      task.finish('done')
      return answer
    } catch (error) {
      if (task.signal.aborted) {
        task.finish('cancelled', 'cancelled')
        const cancelled = new AssistantError('the AI request was cancelled')
        cancelled.name = 'Cancelled'
        throw cancelled
      }
      task.finish('failed', (error as Error).message)
      throw error
    } finally {
      for (const [id, approval] of this.approvals) if (approval.taskId === task.id) this.approvals.delete(id)
      this.approvalCounters.delete(task.id)
      this.options.output.endTask(task.id)
    }
  }

  /** `ai.fill(Node, context)`: the graph's LM fills the node (as in a run). */
  fill(target: AnyNodeDef, context: Record<string, unknown> = {}, instruction = ''): Promise<unknown> {
    return this.lm('ai.fill').fill(target, context, instruction, undefined, { signal: this.callerSignal() })
  }

  /** `ai.chooseType([A, B], context)`: the graph's LM picks one of the nodes. */
  chooseType(candidates: readonly AnyNodeDef[], context: Record<string, unknown> = {}): Promise<AnyNodeDef | null> {
    return this.lm('ai.chooseType').chooseType(candidates, context, { signal: this.callerSignal() })
  }

  dispose(): void {
    this.readOnly.dispose()
  }

  private lm(what: string) {
    const lm = this.options.engine.defaultLm
    if (!lm)
      throw new AssistantError(
        `${what} uses the graph LM, and none is set: set ANTHROPIC_API_KEY (or the key in File ▸ Settings…), or engine.setLm(createLm(backend))`
      )
    return lm
  }

  private budget(): number {
    return this.options.contextBudget ?? budgetFor(this.model)
  }

  private idleTimeoutMs(): number {
    return this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  }

  private callerSignal(): AbortSignal {
    return this.options.tasks.current?.signal ?? new AbortController().signal
  }

  private env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env
  }

  private apiKey(): string | undefined {
    return this.#settingsKey ?? (this.env()['ANTHROPIC_API_KEY'] || undefined)
  }

  private conversationOf(id: number): Conversation {
    let conversation = this.conversations.get(id)
    if (!conversation) this.conversations.set(id, (conversation = new Conversation(id)))
    return conversation
  }

  /** The tool-use loop: call the model, run the tools it asks for, until it answers without tools. */
  private async converse(question: string, conversation: Conversation, task: Task, write: (text: string) => void, apiKey: string): Promise<string> {
    const started = performance.now()
    const baseURL = this.env()['ANTHROPIC_BASE_URL']
    const client = new (anthropicSdk().default)({
      apiKey,
      ...(baseURL ? { baseURL } : {}),
      ...(this.options.maxRetries !== undefined ? { maxRetries: this.options.maxRetries } : {})
    })
    const sections = contextFor(question, this.toolHost.sources)
    const messages: Anthropic.MessageParam[] = [
      ...conversation.exchanges.slice(-WINDOW).flatMap((exchange): Anthropic.MessageParam[] => [
        { role: 'user', content: exchange.question },
        {
          role: 'assistant',
          content: `${exchange.tools.length ? `[tools used: ${exchange.tools.join('; ')}]\n` : ''}${clip(exchange.answer, OLD_ANSWER_CHARS) || '(no answer)'}`
        }
      ]),
      { role: 'user', content: `${sections.length ? `<context>\n${sections.join('\n\n')}\n</context>\n\n` : ''}${question}` }
    ]
    const toolLines: string[] = []
    let atLineStart = true
    const say = (text: string): void => {
      if (!text) return
      write(text)
      atLineStart = text.endsWith('\n')
    }
    const line = (text: string): void => say(`${atLineStart ? '' : '\n'}${text}\n`)
    let answer = ''
    let contextTokens = 0
    let capped = false
    for (let iteration = 1; ; iteration++) {
      if (iteration > MAX_ITERATIONS) {
        capped = true
        line(style.notice(`stopped: the model called tools ${MAX_ITERATIONS} times without answering (the limit per question)`))
        break
      }
      const params: Anthropic.MessageStreamParams = {
        model: this.model,
        max_tokens: this.options.maxTokens ?? 4096,
        system: SYSTEM_PROMPT,
        tools: TOOLS,
        messages
      }
      const rendering = format()
      let text = ''
      const message = await this.chat(client, params, task, apiKey, (delta) => {
        text += delta
        say(rendering.write(delta))
      })
      say(rendering.end())
      answer += text
      // The context this call sent, as the API counted it (cached prompt parts included).
      const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens } = message.usage
      contextTokens = input_tokens + (cache_creation_input_tokens ?? 0) + (cache_read_input_tokens ?? 0)
      messages.push({ role: 'assistant', content: message.content })
      const calls = message.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use')
      if (message.stop_reason === 'max_tokens') line(style.notice(`(the answer was cut off at ${params.max_tokens} tokens)`))
      if (calls.length === 0) break
      const results: Anthropic.ToolResultBlockParam[] = []
      for (const call of calls) {
        const outcome = await this.runTool(call, task, line)
        const argument = toolArgument(call.name, call.input as Record<string, unknown>)
        const summary = `◆ ${call.name}${argument ? `(${argument})` : ''} → ${outcome.summary}`
        toolLines.push(summary)
        line(style.dim(summary))
        results.push({ type: 'tool_result', tool_use_id: call.id, content: outcome.content, ...(outcome.isError ? { is_error: true } : {}) })
      }
      messages.push({ role: 'user', content: results })
    }
    // The answer ends on its own line with every style reset (pitfall 8), then the context line.
    if (!atLineStart) say('\n')
    conversation.exchanges.push({ question, answer: capped && !answer ? '(stopped at the tool-call limit)' : answer, tools: toolLines })
    conversation.contextTokens = contextTokens
    const budget = this.budget()
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    const calls = `${toolLines.length} tool call${toolLines.length === 1 ? '' : 's'}`
    say(
      `${RESET}${style.dim(`[ai:${conversation.id} · context ${contextTokens.toLocaleString('en-US')} tokens of ${budget.toLocaleString('en-US')} · ${calls} · ${seconds} s]`)}\n`
    )
    if (contextTokens > budget * WARN_SHARE)
      say(
        `${style.notice(`⚠ the AI context is large (${Math.round((contextTokens / budget) * 100)} % of ${budget.toLocaleString('en-US')} tokens): %ai new starts a fresh conversation`)}\n`
      )
    return answer
  }

  /** One streamed Messages API call, as a GenAI `chat` span; deltas go to `onText` as they arrive. */
  private chat(
    client: Anthropic,
    params: Anthropic.MessageStreamParams,
    task: Task,
    apiKey: string,
    onText: (delta: string) => void
  ): Promise<Anthropic.Message> {
    return inSpan(
      `chat ${params.model}`,
      { [ATTR.operation]: 'chat', [ATTR.provider]: 'anthropic', [ATTR.requestModel]: params.model, [ATTR.outputType]: 'text' },
      async (span) => {
        const recording = span.isRecording()
        if (recording && capturingContent()) span.setAttribute(ATTR.inputMessages, genAiMessages(params.messages))
        const message = await streamMessage(client, params, { signal: task.signal, idleTimeoutMs: this.idleTimeoutMs(), apiKey, onText })
        if (recording) {
          span.setAttribute(ATTR.responseModel, message.model)
          const usage = message.usage
          span.setAttribute(ATTR.inputTokens, usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0))
          span.setAttribute(ATTR.outputTokens, usage.output_tokens)
          if (message.stop_reason) span.setAttribute(ATTR.finishReasons, [message.stop_reason])
          if (capturingContent()) span.setAttribute(ATTR.outputMessages, genAiMessages([{ role: 'assistant', content: message.content }], message.stop_reason))
        }
        return message
      },
      SpanKind.CLIENT
    )
  }

  /** One tool call as an `execute_tool` span; run_code may wait for the user's approval. */
  private runTool(call: Anthropic.ToolUseBlock, task: Task, line: (text: string) => void): Promise<ToolOutcome> {
    return inSpan(
      `execute_tool ${call.name}`,
      { [ATTR.operation]: 'execute_tool', 'gen_ai.tool.name': call.name, 'gen_ai.tool.call.id': call.id },
      async (span) => {
        const input = (call.input ?? {}) as Record<string, unknown>
        let outcome: ToolOutcome
        try {
          outcome =
            call.name === 'run_code' ? await this.runCodeTool(String(input['code'] ?? ''), task, line) : runReadOnlyTool(call.name, input, this.toolHost)
        } catch (error) {
          if (task.signal.aborted) throw error
          const message = (error as Error).message ?? String(error)
          outcome = { content: message, summary: `error ${message}`, isError: true }
        }
        if (outcome.isError) markFailed(span, outcome.summary)
        return outcome
      }
    )
  }

  private async runCodeTool(code: string, task: Task, line: (text: string) => void): Promise<ToolOutcome> {
    if (this.runCode === 'never')
      return {
        content: 'refused: run_code is off in this session (%ai tools never); use evaluate or explain instead',
        summary: 'refused (%ai tools never)',
        isError: true
      }
    const shown = code
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')
    if (this.runCode === 'ask') {
      const id = `${task.id}.${this.approvalCount(task.id)}`
      line(`run_code wants to run:\n${shown}\n${style.notice(`answer @${id} yes / @${id} no`)}`)
      task.setState('waiting')
      const approved = await new Promise<boolean>((resolve, reject) => {
        const onAbort = (): void => (this.approvals.delete(id), reject(task.signal.reason))
        task.signal.addEventListener('abort', onAbort, { once: true })
        this.approvals.set(id, { id, taskId: task.id, code, resolve: (ok) => (task.signal.removeEventListener('abort', onAbort), resolve(ok)) })
      })
      task.setState('running')
      if (!approved) return { content: 'the user declined to run this code', summary: 'declined', isError: true }
    } else {
      line(`run_code:\n${shown}`)
    }
    const result = await this.options.evaluator.evaluate(code, { signal: task.signal })
    if (!result.ok) {
      const message = `${result.error.name}: ${result.error.message}`
      return { content: clip(message, MAX_RESULT), summary: `error ${message.split('\n')[0]!.slice(0, 80)}`, isError: true }
    }
    const text = stripStyles(result.text)
    if (text) line(clip(result.text, 2000))
    return { content: clip(text || 'undefined', MAX_RESULT), summary: text ? text.split('\n')[0]!.slice(0, 60) : 'done' }
  }

  /** Approval numbers already used by a task (a1.0, a1.1…), so each id is new. */
  private readonly approvalCounters = new Map<string, number>()
  private approvalCount(taskId: string): number {
    const n = this.approvalCounters.get(taskId) ?? 0
    this.approvalCounters.set(taskId, n + 1)
    return n
  }

  /** For util.inspect: the short repr, never the key. */
  [inspect.custom](): string {
    return this.summary()
  }
}
