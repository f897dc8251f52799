import { mkdirSync, writeFileSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { z } from 'zod'
import { whenReady, type Maybe } from '../common/maybe'
import { DisposableStore, toDisposable, type Disposable } from '../common/lifecycle'
import type { Logger } from '../common/logger'
import type { EventName } from '../common/protocol/contract'
import type { Port } from '../common/protocol/port'
import { RpcServer } from '../common/protocol/rpc'
import type { GraphProgress, SelectionResult } from '../common/graph-contract'
import type { DisplaySettings, TaskInfo } from '../common/repl-contract'
import {
  runtimeContract,
  type EvalResult,
  type GraphFileSource,
  type ReplMode,
  type RuntimeContract,
  type RuntimeInfo,
  type RuntimeStats
} from '../common/runtime-contract'
import type { SpanDto } from '../common/trace-contract'
import { parseAnswer } from '../common/repl/format'
import { redactText, type RedactOptions } from '../common/trace/redact'
import { OutputRouter, type OutputOptions } from './engine/output'
import { GraphEngine, type RunRecord } from './engine/graph-engine'
import { graphsIn } from './graph/topology'
import { TaskManager } from './engine/tasks'
import { createLm } from './lm'
import { AnthropicBackend } from './lm/anthropic'
import { runShell } from './repl/bash'
import { describeError, Evaluator, NAMESPACE_CONTEXT_NAME } from './repl/evaluator'
import { complete, inspectPath } from './repl/introspect'
import { isMagic, loadGraphFile, runMagic, type InputRecord, type LoadedFile } from './repl/magics'
import { assistantView, frameworkApi, Listing, makeNs, runtimeViews, userBindingNames } from './repl/namespace'
import { resolveSelection } from './repl/selection'
import { SessionStore } from './store'
import { newSessionId, type Entry } from './store/entry'
import { enumerableSecretValues, redaction, secretValues, type CollectorOptions } from './tracing/sdk'
import { TraceSession } from './tracing/session'
import { welcomeLine } from './welcome'
import { Assistant, type AssistantOptions } from './ai/assistant'
import type { StructuredLm } from './lm/structured-lm'

export interface RuntimeOptions {
  /** How this process was started; reported to clients. */
  host: RuntimeInfo['host']
  log: Logger
  /** The project folder: the session store lives in its .cortex/store (none without it, as in tests). */
  projectDir?: string
  output?: OutputOptions
  /** Tracing: off unless asked for (the app turns it on); a collector gets a sampled copy. */
  tracing?: { enabled: boolean; collector?: CollectorOptions | undefined }
  /** The assistant's environment (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL; default process.env), SDK retries, stall timeout, context budget. */
  assistant?: Pick<AssistantOptions, 'env' | 'maxRetries' | 'idleTimeoutMs' | 'contextBudget'>
  /** See EvaluatorOptions.signalsDuringSyncRuns (a runtime that shares its host's process). */
  signalsDuringSyncRuns?: readonly NodeJS.Signals[]
  /** See EvaluatorOptions.onBlockingRun (a runtime whose host watches its heartbeat). */
  onBlockingRun?: (running: boolean) => void
  /** Called before anything is imported: the host registers its loader hooks then (see host.ts). */
  beforeImport?: () => void
}

/** A window that connects gets at most this many recorded spans (the latest); the file export has them all. */
const SNAPSHOT_SPANS = 20_000

const MAX_INPUTS = 10_000
/** What is kept for the session store while it opens (see Runtime.record): entries, and characters of their texts. */
const MAX_EARLY_ENTRIES = 10_000
const MAX_EARLY_CHARS = 16 * 1024 * 1024
/** How often task changes are announced (and how long an evaluation may take without being announced). */
const TASK_EVENT_MS = 50

function progressOf(run: RunRecord): GraphProgress {
  return { runId: run.id, graph: run.graph, state: run.state, ...(run.at ? { node: run.at.node, step: run.at.step } : {}) }
}

/** The secrets found (see Runtime.foundSecrets), and the redaction made of them once asked for. */
interface FoundSecrets {
  values: string[]
  options?: RedactOptions
  /** The environment's, the assistant's key and all of the namespace's (see Runtime.foundSecrets), and when they were read. */
  full: string[]
  fullAt: number
  /** The evaluator's count of evaluations that may have bound names (Evaluator.bindings), and when, at the time they were found. */
  bindings: number
  at: number
}

/** Graph files the window may load from text. */
const GRAPH_FILE = /\.(ts|mts|js|mjs)$/i

/** A file name that stays in its folder: no separators, no `..`, no NUL, not hidden-only dots. */
export function isSafeFileName(name: string): boolean {
  return !/[/\\\0]/.test(name) && !name.includes('..') && name.trim() === name && name.length > 0 && name !== '.'
}

/**
 * Loads what an input imports: `node:` modules, packages from the working directory (it follows
 * `cd`), relative and absolute files (TypeScript too, through the loader hooks, which `beforeImport`
 * registers: a built-in module needs none).
 */
function importFromWorkingDirectory(specifier: string, beforeImport?: () => void): Promise<unknown> {
  const cwd = process.cwd()
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return import(specifier)
  beforeImport?.()
  if (specifier.startsWith('.') || isAbsolute(specifier)) return import(pathToFileURL(resolve(cwd, specifier)).href)
  let path: string | undefined
  try {
    path = createRequire(join(cwd, '<repl>')).resolve(specifier)
  } catch {
    // ESM-only packages (no "require" export) resolve through import() below.
  }
  return import(path ? pathToFileURL(path).href : specifier)
}

/**
 * The runtime session: one namespace, served to any number of clients (windows, browser tabs,
 * the terminal client, tests). Results and task changes go to every client; output goes to each
 * client through its own bounded, flow-controlled queue.
 */
export class Runtime implements Disposable {
  private readonly clients = new Set<RpcServer<RuntimeContract>>()
  private readonly store = new DisposableStore()
  private readonly startedAt = Date.now()
  readonly tasks = new TaskManager()
  readonly output: OutputRouter
  readonly evaluator: Evaluator
  readonly engine: GraphEngine
  readonly traces: TraceSession
  readonly assistant: Assistant
  /** The graph LM made from the API key (not one the user set), replaced when the key changes in the settings. */
  private keyLm: StructuredLm | undefined
  private readonly userNames: () => string[]
  private readonly importModule: (specifier: string) => Promise<unknown>
  private readonly shutdownHooks: Array<() => Promise<void>> = []
  private sessionStore: Promise<SessionStore | undefined> | undefined
  /** The session store once it is open (until shutdown closes it): inputs are appended to it synchronously. */
  private openedStore: SessionStore | undefined
  /** Appends waiting for the store to open (see record); undefined once it is open, failed, or there is none. */
  private early: Array<(store: SessionStore) => void> | undefined
  private earlyChars = 0
  private earlyDropped = 0
  /** This runtime's session in the store: new for every runtime process, so a crashed one's inputs stay apart. */
  readonly sessionId = newSessionId()
  private readonly pendingTaskChanges = new Map<string, TaskInfo>()
  private readonly announcedTasks = new Set<string>()
  private taskTimer: ReturnType<typeof setTimeout> | undefined
  private readonly pendingProgress = new Map<string, GraphProgress>()
  private progressTimer: ReturnType<typeof setTimeout> | undefined
  /** Startup loads still running (loadAtStartup): inputs wait for them. Undefined once they are done (no await per input). */
  private ready: Promise<void> | undefined
  /** How every window shows output (%view, %channel). */
  private display: DisplaySettings = { view: 'user', hidden: [] }
  /** This session's inputs (for %history and %save), bounded. */
  private readonly inputs: InputRecord[] = []
  /** Files loaded from the window so far (each load gets a fresh module URL). */
  private loadCount = 0

  constructor(private readonly options: RuntimeOptions) {
    this.output = this.store.add(new OutputRouter(options.output))
    this.engine = new GraphEngine(this.tasks, this.output)
    this.traces = new TraceSession({
      enabled: options.tracing?.enabled ?? false,
      collector: options.tracing?.collector,
      onBatch: (batch) => this.broadcast('trace.spans', batch),
      // Secret-named variables of the environment and of the namespace never leave in a trace.
      secrets: () => this.secrets()
    })
    this.onShutdown(() => this.traces.shutdown())
    this.store.add(toDisposable(() => this.engine.dispose()))
    // Graph runs started without an LM use Anthropic when a key is set; otherwise they say what is missing.
    if (process.env['ANTHROPIC_API_KEY']) this.engine.defaultLm = this.keyLm = createLm(new AnthropicBackend())
    const api = frameworkApi()
    // Graph files import the framework as 'cortex' (see loader/hooks.ts): the same objects as the REPL's.
    ;(globalThis as Record<symbol, unknown>)[Symbol.for('cortex.api')] = api
    const seed = { ...api, ...runtimeViews(this.engine, this.tasks) }
    this.importModule = (specifier) => importFromWorkingDirectory(specifier, options.beforeImport)
    this.evaluator = new Evaluator({
      output: this.output,
      tasks: this.tasks,
      importModule: this.importModule,
      seed,
      signalsDuringSyncRuns: options.signalsDuringSyncRuns ?? [],
      ...(options.onBlockingRun && { onBlockingRun: options.onBlockingRun })
    })
    this.evaluator.context['store'] = this.storeSearch()
    const seeded = new Set([...Object.keys(seed), 'ns', 'ai', 'console', ...Object.keys(this.evaluator.context)])
    this.userNames = () => userBindingNames(this.evaluator.context, seeded)
    const ns = makeNs(this.evaluator.context, this.userNames, this.engine)
    this.evaluator.context['ns'] = ns
    this.assistant = new Assistant({
      output: this.output,
      tasks: this.tasks,
      evaluator: this.evaluator,
      engine: this.engine,
      userNames: this.userNames,
      spans: () => this.traces.spans(),
      listNamespace: () => ns(),
      contextName: NAMESPACE_CONTEXT_NAME,
      ...options.assistant
    })
    this.store.add(toDisposable(() => this.assistant.dispose()))
    this.evaluator.context['ai'] = assistantView(this.assistant)
    this.store.add(this.tasks.onDidChange((info) => this.queueTaskChange(info)))
    this.store.add(this.engine.onDidChangeRun((run) => this.queueProgress(run)))
    if (options.projectDir) this.openStore(options.projectDir)
  }

  /** Every input and every channel write go to the session store (opened in the background: a big store takes seconds). */
  private openStore(projectDir: string): void {
    this.early = []
    this.sessionStore = SessionStore.open({
      projectDir,
      sessionId: this.sessionId,
      logger: this.options.log,
      redact: (text) => this.redactSecrets(text),
      // Said once in every window: their history is no longer kept, but the REPL goes on.
      onWriteFailure: (message) => {
        this.output.write('system', 'stderr', `${message}\n`)
        this.output.flushAll()
      }
    }).then(
      (store) => {
        // What was recorded while it opened first, in the order it happened.
        const early = this.early ?? []
        this.early = undefined
        this.openedStore = store
        for (const append of early) append(store)
        if (this.earlyDropped) store.appendEvent(`${this.earlyDropped} entries made while the session store opened were not recorded`)
        this.onShutdown(async () => {
          this.openedStore = undefined
          await store.close()
        })
        return store
      },
      (error: unknown) => {
        this.early = undefined
        this.options.log.error('the session store could not be opened; this session is not recorded', describeError(error))
        return undefined
      }
    )
    this.store.add(this.output.onDidWrite((write) => this.record((store) => store.appendOutput(write), write.text.length)))
  }

  /**
   * Appends to the session store: at once once it is open, else when it opens (a big store takes
   * seconds to open, and an input typed meanwhile, its output and its outcome must not be lost),
   * keeping at most MAX_EARLY_ENTRIES (`chars`: the size of the text it holds; `always`: past that
   * bound, for an input's outcome when the input was kept). Nothing when there is no store (or it
   * failed to open). Returns whether the entry is (or will be) stored.
   */
  private record(append: (store: SessionStore) => void, chars = 0, always = false): boolean {
    if (this.openedStore) append(this.openedStore)
    else if (!this.early) return false
    else if (always || (this.early.length < MAX_EARLY_ENTRIES && this.earlyChars + chars <= MAX_EARLY_CHARS)) {
      this.early.push(append)
      this.earlyChars += chars
    } else {
      this.earlyDropped++
      return false
    }
    return true
  }

  /** `store()`: the latest entries of the project's sessions; `store('query')`: entries matching it. */
  private storeSearch(): (query?: string, limit?: number) => Promise<unknown> {
    return async (query?: string, limit = 20) => {
      const store = await this.sessionStore
      if (!store) return 'no session store: start Cortex in a project folder to record sessions'
      const entries = query === undefined ? store.recent(limit) : store.search(String(query), { limit })
      return new Listing(query === undefined ? `latest ${entries.length} entries` : `${entries.length} entries matching ${JSON.stringify(query)}`, []).withText(
        store.format(entries)
      )
    }
  }

  get clientCount(): number {
    return this.clients.size
  }

  /** Serves the runtime's contract on `port` until it closes. */
  connect(port: Port): Disposable {
    const server = new RpcServer(
      port,
      runtimeContract,
      {
        // Answered within the call when the input is synchronous (see Evaluator.evaluate).
        'repl.evaluate': ({ code, mode }, request) => {
          const answer = this.evaluate(mode, code, request)
          // What the input's promise callbacks print (`p.then(console.log)`) runs after a synchronous
          // answer: it goes out right after them, not on the output timer (an answer over IPC waits
          // for it; the pipe mode prints it after the result, as node -i does, and before it exits).
          if (!(answer instanceof Promise)) queueMicrotask(() => this.output.flushAll())
          return whenReady(answer, (result) => {
            // Output the evaluation wrote goes out before its result, in every window.
            this.output.flushAll()
            // The caller gets the result as its answer; the other windows as an event.
            this.broadcast('repl.result', result, server)
            return result
          })
        },
        'repl.ack': ({ seq }) => {
          outputClient.ack(seq)
          return {}
        },
        'repl.inspect': ({ path, offset, limit }) => inspectPath(this.evaluator.context, this.userNames, path, offset, limit, this.engine),
        'repl.complete': ({ code, cursor }) => complete(this.evaluator.context, code, Math.min(cursor, code.length), this.evaluator.generation),
        'repl.history': async ({ limit }) => {
          const store = await this.sessionStore
          const inputs = store ? store.history(limit) : [...new Set(this.inputs.map((input) => input.code).reverse())].slice(0, limit).reverse()
          // A window never gets a secret: the value of a secret-named variable, or text shaped like a key.
          return inputs.map((input) => this.redactSecrets(input))
        },
        'repl.journal': async ({ sessionId }) => {
          const store = await this.sessionStore
          if (!store) return { inputs: [], skipped: [], more: 0 }
          return store.journal(sessionId)
        },
        'tasks.list': () => this.tasks.list(),
        'tasks.cancel': (params) => ({
          cancelled: 'all' in params ? this.tasks.cancelAll('cancelled by the user') : Number(this.tasks.cancel(params.id, 'cancelled by the user'))
        }),
        'runtime.info': () => ({
          pid: process.pid,
          host: this.options.host,
          nodeVersion: process.version,
          uptimeMs: Date.now() - this.startedAt,
          cwd: process.cwd(),
          ...(this.options.projectDir ? { sessionId: this.sessionId } : {})
        }),
        'runtime.ping': () => ({ uptimeMs: Date.now() - this.startedAt }),
        'trace.snapshot': () => this.traces.snapshot(SNAPSHOT_SPANS),
        'trace.export': ({ format, traceIds, spanIds }) =>
          this.traces.exportFile(format, { ...(traceIds ? { traceIds } : {}), ...(spanIds ? { spanIds } : {}) }),
        'trace.select': ({ traceId, spanId, given }) => this.selectSpan(traceId, spanId, given),
        // After the graph files loading at startup: a window that connects early gets their graphs.
        'graph.list': async () => {
          if (this.ready) await this.ready
          return {
            graphs: graphsIn(this.evaluator.context, this.userNames()),
            runs: this.engine
              .runs()
              .filter((run) => run.endedAt === undefined)
              .map(progressOf)
          }
        },
        'repl.loadFile': async (source) => {
          const loaded = await this.loadFile(source)
          this.output.flushAll()
          // Like an input every window sees: the REPL panes print what was bound (or why not).
          this.broadcast('repl.result', loaded.result)
          return loaded
        },
        'runtime.stats': () => this.stats()
      },
      this.options.log
    )
    const outputClient = this.output.attach((batch) => server.emit('repl.output', batch))
    server.emit('repl.display', this.display)
    this.clients.add(server)
    this.store.add(server)
    server.onClose(() => {
      outputClient.dispose()
      this.clients.delete(server)
      this.store.delete(server)
    })
    return server
  }

  /**
   * Loads graph files before anything else runs: inputs wait for them, so a user who types at once
   * finds the graphs there. What each load says goes to the system channel.
   */
  loadAtStartup(files: readonly string[]): void {
    const loading = (this.ready ?? Promise.resolve()).then(async () => {
      const loaded: LoadedFile[] = []
      for (const file of files) {
        const outcome = await loadGraphFile(this.evaluator.reserveId(), resolve(process.cwd(), file), {
          evaluator: this.evaluator,
          importModule: this.importModule
        })
        const { result } = outcome
        if (outcome.loaded) loaded.push(outcome.loaded)
        this.output.write('system', result.ok ? 'stdout' : 'stderr', `${result.ok ? result.text : `could not load ${file}: ${result.error.message}`}\n`)
      }
      const welcome = welcomeLine(loaded, process.env)
      if (welcome) this.output.write('system', 'stdout', `${welcome}\n`)
    })
    this.ready = loading
    const done = (): void => {
      if (this.ready === loading) this.ready = undefined
    }
    loading.then(done, done)
  }

  /**
   * Binds `$span` (the selected span, frozen) and `$node` (its node instance, or undefined) in the
   * namespace, and says so in one line on the debug channel.
   */
  selectSpan(traceId: string, spanId: string, given: SpanDto[]): SelectionResult {
    const known = this.traces.spans().filter((span) => span.traceId === traceId)
    const { span, instance, ...result } = resolveSelection(spanId, known, given, this.engine)
    this.evaluator.context['$span'] = span
    this.evaluator.context['$node'] = instance
    this.evaluator.namespaceChanged() // completion sees the new names
    this.output.write('debug', 'stdout', `${result.summary}\n`)
    this.output.flushAll()
    return result
  }

  /**
   * A graph file from the window (File menu, a drop, recent files). Text comes from a browser that
   * cannot give a path: it is written to .cortex/dropped/<name> and loaded from there, each time as
   * a new module (a fixed file dropped again is loaded again, not served from the module cache).
   */
  async loadFile(source: GraphFileSource): Promise<{ result: EvalResult; path?: string }> {
    if (this.ready) await this.ready
    const evalId = this.evaluator.reserveId()
    const failure = (message: string): { result: EvalResult } => ({ result: { evalId, ok: false, error: { name: 'LoadError', message, code: 'load' } } })
    let path: string
    if ('path' in source) {
      path = resolve(process.cwd(), source.path)
    } else {
      const name = source.name
      if (!isSafeFileName(name)) return failure(`cannot load ${JSON.stringify(name)}: a dropped file's name may not contain path separators or '..'`)
      if (!GRAPH_FILE.test(name)) return failure(`cannot load ${name}: a graph file is .ts, .mts, .js or .mjs`)
      const dir = join(this.options.projectDir ?? process.cwd(), '.cortex', 'dropped')
      path = join(dir, name)
      try {
        mkdirSync(dir, { recursive: true })
        writeFileSync(path, source.text)
      } catch (error) {
        return failure(`cannot write ${path}: ${(error as Error).message}`)
      }
    }
    const url = `${pathToFileURL(path).href}?load=${++this.loadCount}`
    const outcome = await loadGraphFile(evalId, path, { evaluator: this.evaluator, importModule: this.importModule }, url)
    return outcome.loaded ? { result: outcome.result, path } : { result: outcome.result }
  }

  /**
   * `text` without secrets: the values of secret-named variables of the environment and of the
   * namespace, and text shaped like a key. For everything written to disk or a log.
   */
  redactSecrets(text: string): string {
    const found = this.foundSecrets()
    found.options ??= redaction(found.values)
    return redactText(text, found.options)
  }

  /** Memory, running tasks and waiting gates, for the status bar (polled). */
  stats(): RuntimeStats {
    const memory = process.memoryUsage()
    const tasks = this.tasks
      .list()
      .filter((task): task is typeof task & { state: 'running' | 'waiting' } => task.state === 'running' || task.state === 'waiting')
      .slice(0, 1000)
      .map(({ id, label, state }) => ({ id, label, state }))
    const gates = this.engine
      .pendingGates()
      .slice(0, 1000)
      .map(({ id, node, field }) => ({ id, node, field }))
    gates.push(...this.assistant.pendingApprovals().slice(0, 1000 - gates.length))
    return { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal, tasks, gates }
  }

  /**
   * Evaluates one input in its mode, as a client's repl.evaluate does (without broadcasting the
   * result); `cancel.signal` aborting cancels it. A JavaScript input reads that signal only if it
   * awaits (see Evaluator.evaluate): a request's context makes it only then.
   */
  evaluate(mode: ReplMode, code: string, cancel: { readonly signal?: AbortSignal } = {}): Maybe<EvalResult> {
    const ready = this.ready
    if (ready) return ready.then(() => this.evaluate(mode, code, cancel))
    // Stored before it runs, synchronously (a synchronous input runs within dispatch): an input
    // that crashes the runtime is in the store all the same. While the store opens: once it is open.
    let input: Entry | undefined
    const kept = this.record((store) => (input = store.appendInput(code, mode)), code.length)
    return whenReady(this.dispatch(mode, code, cancel), (result) => {
      const outcome = result.ok ? `e${result.evalId} ok` : `e${result.evalId} failed: ${result.error.message}`
      // On the next tick: a synchronous answer goes out first (the pipe mode prints it within this
      // call); an answer that waited may be stored before it is printed. Either way, after its input.
      // (An input kept while the store opens keeps its outcome too: without one, the journal takes it for unfinished.)
      if (kept) process.nextTick(() => this.record((store) => input && store.appendOutcome(input.seq, result.ok, outcome), outcome.length, true))
      this.inputs.push({ mode, code, ok: result.ok })
      // shift(), not splice(0, n): V8 drops an array's first element in place, where splice moved all
      // 10,000 (15–70 µs for every input once a session had that many).
      while (this.inputs.length > MAX_INPUTS) this.inputs.shift()
      return result
    })
  }

  private dispatch(mode: ReplMode, code: string, cancel: { readonly signal?: AbortSignal }): Maybe<EvalResult> {
    const signal = (): AbortSignal => cancel.signal ?? new AbortController().signal
    switch (mode) {
      case 'js': {
        // `@g1.0 value` answers a gate of a graph run (`@a1.0 yes` an AI approval); `%name` is a magic.
        const gate = parseAnswer(code)
        if (gate) return Promise.resolve(this.answerGate(gate.id, gate.text))
        if (isMagic(code)) {
          // %load binds a file's exports, %clear drops the history: completion and the secret scan look again.
          this.evaluator.namespaceChanged()
          return runMagic(code, {
            evaluator: this.evaluator,
            inputs: this.inputs,
            importModule: this.importModule,
            signal: signal(),
            traces: this.traces,
            assistant: this.assistant,
            display: this.display,
            setDisplay: (display) => {
              this.display = display
              this.broadcast('repl.display', display)
            }
          }).finally(() => this.evaluator.namespaceChanged())
        }
        return this.evaluator.evaluate(code, cancel)
      }
      case 'bash':
        return runShell(code, this.evaluator.reserveId(), { output: this.output, tasks: this.tasks, signal: signal() })
      case 'nl': {
        const gate = parseAnswer(code)
        if (gate) return Promise.resolve(this.answerGate(gate.id, gate.text))
        return this.assistant.input(code, this.evaluator.reserveId(), signal())
      }
    }
  }

  /**
   * The app's settings for the assistant: a key (null forgets it: ANTHROPIC_API_KEY applies
   * again) and/or a model. Graph runs use the key too, unless the user set their own LM.
   */
  configureAssistant(settings: { apiKey?: string | null; model?: string }): void {
    const keyBefore = this.assistant.secret
    this.assistant.configure(settings)
    const key = this.assistant.secret
    // The host says it again for every new tab: only a key that changed makes a new graph LM.
    if (settings.apiKey === undefined || key === keyBefore) return
    this.found = undefined // a new key is a new secret to scrub
    if (this.engine.defaultLm !== undefined && this.engine.defaultLm !== this.keyLm) return
    this.keyLm = key ? createLm(new AnthropicBackend({ apiKey: key })) : undefined
    this.engine.defaultLm = this.keyLm
  }

  /** Values never to leave in a trace or to a window: secret-named variables and the settings' key. */
  private secrets(): string[] {
    return this.foundSecrets().values
  }

  /**
   * Every stored line, log line and span batch asks for the secrets. After each evaluation that
   * may have bound a name (Evaluator.bindings: not after `1 + i`), and at most a second after the
   * last look, the namespace's enumerable bindings are looked at again: every declaration and
   * assignment makes one. At most once a second, or at once for a new key:
   * the environment (reading it copies all of it, ~50 µs, and inputs seldom change it), the
   * assistant's key, and all of the namespace's names (non-enumerable ones too, such as a
   * `defineProperty`). The redaction is rebuilt only when the values change.
   */
  private foundSecrets(): FoundSecrets {
    const now = Date.now()
    const found = this.found
    if (found && found.bindings === this.evaluator.bindings && now - found.at <= 1000) return found
    const fullFresh = found !== undefined && now - found.fullAt <= 1000
    let full = found?.full ?? []
    if (!fullFresh) {
      const key = this.assistant?.secret
      full = secretValues(process.env, key ? { ANTHROPIC_API_KEY: key } : {}, this.evaluator.context)
    }
    const values = [...new Set([...full, ...enumerableSecretValues(this.evaluator.context)])]
    const same = found !== undefined && values.length === found.values.length && values.every((value, i) => value === found.values[i])
    this.found = {
      values: same ? found.values : values,
      full,
      fullAt: fullFresh ? found.fullAt : now,
      bindings: this.evaluator.bindings,
      at: now,
      ...(same && found.options ? { options: found.options } : {})
    }
    return this.found
  }
  private found: FoundSecrets | undefined

  private answerGate(gateId: string, text: string): EvalResult {
    const evalId = this.evaluator.reserveId()
    try {
      if (gateId.startsWith('a')) return { evalId, ok: true, text: this.assistant.answerApproval(gateId, text) }
      this.engine.answer(gateId, text)
      return { evalId, ok: true, text: `${gateId} answered` } // a confirmation, not a value: shown as is
    } catch (error) {
      return { evalId, ok: false, error: { name: 'GateError', message: (error as Error).message, code: 'gate' } }
    }
  }

  /**
   * An error nobody awaited (a throwing timer, an unhandled rejection): shown on the channel of the
   * task whose work threw it (or the system channel), and the runtime keeps going.
   */
  reportUncaught(error: unknown, kind: 'exception' | 'rejection'): void {
    const described = describeError(error)
    const frames = described.stack ? described.stack.split('\n').filter((line) => /^\s+at /.test(line)) : []
    const headline = `Uncaught${kind === 'rejection' ? ' (in promise)' : ''} ${described.name}: ${described.message}`
    const task = this.tasks.current
    const evalId = this.evaluator.currentEvalId
    this.output.write(task?.channel ?? 'system', 'stderr', `${[headline, ...frames].join('\n')}\n`, {
      ...(task ? { taskId: task.id } : {}),
      ...(evalId ? { evalId } : {})
    })
  }

  /**
   * The orderly end (pitfall 10): cancel every task → wait for them (at most `timeoutMs`) → send
   * the output still waiting → close (the store, and the clients). Tasks that do not end in time
   * are reported, not waited for: a shutdown never hangs.
   */
  async shutdown(timeoutMs = 2000): Promise<{ unfinished: string[] }> {
    this.tasks.cancelAll('the runtime is shutting down')
    const deadline = Date.now() + timeoutMs
    const running = () => this.tasks.list().filter((t) => t.state === 'running' || t.state === 'waiting')
    while (running().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    const unfinished = running().map((t) => t.id)
    if (unfinished.length) this.options.log.warn(`shutdown: tasks still running after ${timeoutMs} ms: ${unfinished.join(', ')}`)
    this.output.flushAll()
    // A store still opening (a big one takes seconds) gets what was recorded meanwhile, and is closed
    // in order: waited for until the deadline (at least a second), not longer.
    if (this.early && this.sessionStore) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(1000, deadline - Date.now()))))
      await Promise.race([this.sessionStore, late])
      clearTimeout(timer)
    }
    // Outcomes are stored on a next tick (see evaluate): those still queued go in before the store closes.
    await new Promise<void>((resolve) => process.nextTick(resolve))
    for (const hook of this.shutdownHooks) await hook().catch((error: unknown) => this.options.log.error('shutdown step failed', describeError(error)))
    this.dispose()
    return { unfinished }
  }

  /** Steps run at shutdown after the tasks have ended and the output is sent (flush spans, close the store). */
  onShutdown(hook: () => Promise<void>): void {
    this.shutdownHooks.push(hook)
  }

  dispose(): void {
    if (this.taskTimer) clearTimeout(this.taskTimer)
    if (this.progressTimer) clearTimeout(this.progressTimer)
    void this.traces.shutdown()
    this.tasks.cancelAll('the runtime is shutting down')
    this.store.dispose()
    this.clients.clear()
  }

  private broadcast<E extends EventName<RuntimeContract>>(topic: E, payload: z.input<RuntimeContract['events'][E]>, except?: RpcServer<RuntimeContract>): void {
    for (const client of this.clients) if (client !== except) client.emit(topic, payload)
  }

  /** Where runs are go out at most every TASK_EVENT_MS, only the latest of each run (thousands of runs stay cheap). */
  private queueProgress(run: RunRecord): void {
    this.pendingProgress.set(run.id, progressOf(run))
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = undefined
      for (const progress of this.pendingProgress.values()) this.broadcast('graph.progress', progress)
      this.pendingProgress.clear()
    }, TASK_EVENT_MS)
  }

  /**
   * Task changes go out at most every TASK_EVENT_MS, only the latest state of each task: an
   * evaluation that starts and ends within that time is never announced (it is its own answer).
   */
  private queueTaskChange(info: TaskInfo): void {
    if (info.endedAt !== undefined && info.kind === 'eval' && !this.announcedTasks.has(info.id)) {
      // A quick evaluation: forgotten at once rather than at the timer (a pipe runs hundreds in
      // one interval; kept that long, they outlived young-generation collections and were copied).
      this.pendingTaskChanges.delete(info.id)
      return
    }
    this.pendingTaskChanges.set(info.id, info)
    this.taskTimer ??= setTimeout(() => {
      this.taskTimer = undefined
      for (const change of this.pendingTaskChanges.values()) {
        if (change.endedAt === undefined) this.announcedTasks.add(change.id)
        else this.announcedTasks.delete(change.id)
        this.broadcast('tasks.changed', change)
      }
      this.pendingTaskChanges.clear()
    }, TASK_EVENT_MS)
  }
}
