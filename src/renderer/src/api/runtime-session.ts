import { ProtocolError } from '../../../common/errors'
import { Emitter, type Event } from '../../../common/event'
import type { GraphProgress, GraphTopology, SelectionResult } from '../../../common/graph-contract'
import { DisposableStore, toDisposable, type Disposable } from '../../../common/lifecycle'
import type { Logger } from '../../../common/logger'
import type { OpenPathRequest } from '../../../common/open-path'
import type { Completions, InspectPage } from '../../../common/inspect-contract'
import type { Port } from '../../../common/protocol/port'
import { RpcClient } from '../../../common/protocol/rpc'
import type { DisplaySettings, OutputBatch, TaskInfo } from '../../../common/repl-contract'
import {
  runtimeContract,
  type EvalResult,
  type GraphFileSource,
  type Journal,
  type ReplMode,
  type RuntimeContract,
  type RuntimeInfo,
  type RuntimeStats
} from '../../../common/runtime-contract'
import type { RuntimeStatus } from '../../../common/supervision/runtime-supervisor'
import { parseTraceFile, type TraceFileFormat } from '../../../common/trace/detect'
import { TraceStore } from '../../../common/trace/store'
import type { SpanDto } from '../../../common/trace-contract'
import type { AssistantSettingsApi, ConnectionState, CortexApi } from './cortex-api'
import type { FileHost } from './file-host'

/** Where runtime connections come from: Electron's brokered MessagePorts or browser-mode WebSockets. */
export interface RuntimeLink extends Disposable {
  /** A new connection to the runtime; the previous one is superseded. */
  readonly onDidConnect: Event<Port>
  readonly onRuntimeStatus: Event<RuntimeStatus>
  /** Start connecting (and keep reconnecting when a connection is lost). */
  start(): void
  restartRuntime(): Promise<void>
  interruptRuntime(): Promise<void>
  openPath(request: OpenPathRequest): Promise<void>
  /** The assistant's settings, kept by the host (Electron main, the browser host). */
  readonly settings: AssistantSettingsApi
}

/** How long an input waits for the runtime to be back (a restart takes about a second). */
const RECONNECT_WAIT_MS = 30_000

/** The one {@link CortexApi} implementation; Electron and the browser differ only in their link. */
export class RuntimeSession implements CortexApi {
  private client: RpcClient<RuntimeContract> | undefined
  private clientStore = new DisposableStore()
  private readonly store = new DisposableStore()
  private readonly outputListeners = new Set<(batch: OutputBatch) => void | Promise<void>>()
  private readonly taskChanges = this.store.add(new Emitter<TaskInfo>())
  private readonly displayChanges = this.store.add(new Emitter<DisplaySettings>())
  private readonly results = this.store.add(new Emitter<EvalResult>())
  private readonly namespaceChanges = this.store.add(new Emitter<void>())
  private readonly connections = this.store.add(new Emitter<ConnectionState>())
  private readonly graphProgress = this.store.add(new Emitter<GraphProgress>())
  private readonly namespacesLost = this.store.add(new Emitter<string>())
  /** The store session of the runtime this window is connected to (runtime.info). */
  private sessionId: string | undefined
  private info: { client: RpcClient<RuntimeContract>; answer: Promise<RuntimeInfo> } | undefined
  private state: ConnectionState = { state: 'connecting' }
  readonly traces = new TraceStore()
  private status: RuntimeStatus | undefined

  readonly onTaskChange = this.taskChanges.event
  readonly onDisplayChange = this.displayChanges.event
  readonly onResult = this.results.event
  readonly onNamespaceChange = this.namespaceChanges.event
  readonly onConnectionChange = this.connections.event
  readonly onGraphProgress = this.graphProgress.event
  readonly onNamespaceLost = this.namespacesLost.event
  readonly onRuntimeStatus: Event<RuntimeStatus>
  readonly settings: AssistantSettingsApi

  constructor(
    private readonly link: RuntimeLink,
    private readonly log: Logger,
    readonly files: FileHost
  ) {
    this.settings = link.settings
    this.onRuntimeStatus = link.onRuntimeStatus
    this.store.add(link)
    this.store.add(link.onRuntimeStatus((status) => (this.status = status)))
    this.store.add(link.onDidConnect((port) => this.adopt(port)))
    link.start()
  }

  get connection(): ConnectionState {
    return this.state
  }

  get runtimeStatus(): RuntimeStatus | undefined {
    return this.status
  }

  async evaluate(code: string, options: { signal?: AbortSignal; mode?: ReplMode } = {}): Promise<EvalResult> {
    const client = await this.nextConnection(options.signal)
    // A cancel's outcome (cancelled, or interrupted) comes back as the answer.
    const answer = client.call('repl.evaluate', { code, mode: options.mode ?? 'js' }, { signal: options.signal, awaitAnswerOnCancel: true })
    void answer.finally(() => this.namespaceChanges.fire()).catch(() => undefined)
    return answer
  }

  onOutput(listener: (batch: OutputBatch) => void | Promise<void>): Disposable {
    this.outputListeners.add(listener)
    return toDisposable(() => this.outputListeners.delete(listener))
  }

  async listTasks(): Promise<TaskInfo[]> {
    return this.connected().call('tasks.list', {})
  }

  async cancelTasks(which: { id: string } | { all: true }): Promise<number> {
    return (await this.connected().call('tasks.cancel', which)).cancelled
  }

  async inspect(path: readonly string[], options: { offset?: number; limit?: number } = {}): Promise<InspectPage> {
    return this.connected().call('repl.inspect', { path: [...path], offset: options.offset ?? 0, limit: options.limit ?? 100 })
  }

  async complete(code: string, cursor: number): Promise<Completions> {
    return this.connected().call('repl.complete', { code, cursor })
  }

  async history(limit?: number): Promise<string[]> {
    return this.connected().call('repl.history', { limit })
  }

  async journal(sessionId?: string): Promise<Journal> {
    return this.connected().call('repl.journal', sessionId ? { sessionId } : {})
  }

  /** The connection's runtime.info: asked once when it opens and shared by every caller (it does not change while it lasts). */
  async runtimeInfo(): Promise<RuntimeInfo> {
    const client = this.connected()
    if (!this.info || this.info.client !== client) this.info = { client, answer: client.call('runtime.info', {}) }
    const { answer } = this.info
    // A failed ask is not kept: the next caller asks again.
    answer.catch(() => this.info?.answer === answer && (this.info = undefined))
    return answer
  }

  exportTrace(options: {
    format: 'otlp-jsonl' | 'otlp-json'
    traceIds?: string[]
    spanIds?: string[]
  }): Promise<{ text: string; spans: number; open: number }> {
    return this.connected().call('trace.export', options)
  }

  importTrace(text: string, fileName?: string): { spans: number; format: TraceFileFormat } {
    // Parsed here, not in the runtime: a big file never crosses the connection.
    const { spans, format } = parseTraceFile(text, fileName)
    this.traces.add(spans)
    return { spans: spans.length, format }
  }

  async selectSpan(span: SpanDto): Promise<SelectionResult> {
    // The span and its ancestors go along: the runtime uses them only for spans it does not know (imported ones).
    const given: SpanDto[] = []
    for (let at: SpanDto | undefined = span; at && given.length < 64; at = at.parentSpanId ? this.traces.get(at.parentSpanId) : undefined) given.push(at)
    const result = await this.connected().call('trace.select', { traceId: span.traceId, spanId: span.spanId, given })
    this.namespaceChanges.fire() // $span and $node changed
    return result
  }

  async listGraphs(): Promise<{ graphs: GraphTopology[]; runs: GraphProgress[] }> {
    return this.connected().call('graph.list', {})
  }

  async loadGraphFile(source: GraphFileSource): Promise<{ result: EvalResult; path?: string }> {
    const answer = await this.connected().call('repl.loadFile', source)
    this.namespaceChanges.fire()
    return answer
  }

  async runtimeStats(): Promise<RuntimeStats> {
    return this.connected().call('runtime.stats', {})
  }

  restartRuntime(): Promise<void> {
    return this.link.restartRuntime()
  }

  interruptRuntime(): Promise<void> {
    return this.link.interruptRuntime()
  }

  async openPath(path: string): Promise<void> {
    // Relative paths were printed by code running in the runtime's working directory.
    const cwd =
      this.client && !this.client.isClosed
        ? await this.runtimeInfo().then(
            (info) => info.cwd,
            () => undefined
          )
        : undefined
    await this.link.openPath({ path, ...(cwd ? { cwd } : {}) })
  }

  dispose(): void {
    this.clientStore.dispose()
    this.store.dispose()
    this.traces.dispose()
  }

  /**
   * The connection, or the next one: an input entered while the runtime restarts (or the window
   * reconnects) is sent once it is back, rather than lost; after RECONNECT_WAIT_MS it fails.
   */
  private nextConnection(signal?: AbortSignal): Promise<RpcClient<RuntimeContract>> {
    if (this.client && !this.client.isClosed && this.state.state === 'connected') return Promise.resolve(this.client)
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        subscription.dispose()
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        outcome()
      }
      const subscription = this.connections.event((change) => {
        const client = this.client
        if (change.state === 'connected' && client && !client.isClosed) settle(() => resolve(client))
      })
      const waited = `${RECONNECT_WAIT_MS / 1000} s`
      const timer = setTimeout(
        () => settle(() => reject(new ProtocolError('connection-closed', `not connected to the runtime (waited ${waited})`))),
        RECONNECT_WAIT_MS
      )
      const onAbort = () => settle(() => reject(new Error('cancelled before the runtime was back')))
      if (signal?.aborted) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private connected(): RpcClient<RuntimeContract> {
    if (!this.client || this.client.isClosed) throw new ProtocolError('connection-closed', 'not connected to the runtime')
    return this.client
  }

  private adopt(port: Port): void {
    this.clientStore.dispose()
    this.clientStore = new DisposableStore()
    const client = new RpcClient(port, runtimeContract, this.log)
    this.client = client
    this.clientStore.add(client)
    this.clientStore.add(
      client.subscribe('repl.output', (batch) => {
        // Acknowledge once every listener has drawn it: the runtime then sends the next batch.
        const drawn = [...this.outputListeners].map((listener) => listener(batch))
        void Promise.allSettled(drawn).then(() => (client.isClosed ? undefined : client.call('repl.ack', { seq: batch.seq }).catch(() => undefined)))
      })
    )
    this.clientStore.add(
      client.subscribe('tasks.changed', (task) => {
        this.taskChanges.fire(task)
        if (task.endedAt !== undefined) this.namespaceChanges.fire()
      })
    )
    this.clientStore.add(client.subscribe('repl.display', (display) => this.displayChanges.fire(display)))
    this.clientStore.add(client.subscribe('graph.progress', (progress) => this.graphProgress.fire(progress)))
    this.clientStore.add(
      client.subscribe('repl.result', (result) => {
        this.results.fire(result)
        this.namespaceChanges.fire()
      })
    )
    // Live spans first, then what was recorded before this window connected (the store merges both ways round).
    this.clientStore.add(client.subscribe('trace.spans', (batch) => this.traces.applyBatch(batch)))
    client.call('trace.snapshot', {}).then(
      (snapshot) => this.traces.add(snapshot.spans),
      (error: unknown) => this.log.warn('could not read the spans recorded so far', { error: String(error) })
    )
    // A runtime with another session is a new namespace: the old one's inputs may be replayed.
    this.runtimeInfo().then(
      ({ sessionId }) => {
        const previous = this.sessionId
        this.sessionId = sessionId
        if (previous && sessionId && previous !== sessionId) this.namespacesLost.fire(previous)
      },
      () => undefined // closed already: the next connection asks
    )
    this.clientStore.add(
      client.onClose(() => {
        if (this.client === client) this.setState({ state: 'disconnected', detail: 'the connection to the runtime closed' })
      })
    )
    this.setState({ state: 'connected' })
  }

  private setState(state: ConnectionState): void {
    this.state = state
    this.connections.fire(state)
  }
}
