import type { AssistantSettingsView } from '../../../common/assistant-settings'
import type { Event } from '../../../common/event'
import type { GraphProgress, GraphTopology, SelectionResult } from '../../../common/graph-contract'
import type { Completions, InspectPage } from '../../../common/inspect-contract'
import type { Disposable } from '../../../common/lifecycle'
import type { DisplaySettings, OutputBatch, TaskInfo } from '../../../common/repl-contract'
import type { EvalResult, GraphFileSource, Journal, ReplMode, RuntimeInfo, RuntimeStats } from '../../../common/runtime-contract'
import type { RuntimeStatus } from '../../../common/supervision/runtime-supervisor'
import type { TraceFileFormat } from '../../../common/trace/detect'
import type { TraceStore } from '../../../common/trace/store'
import type { SpanDto } from '../../../common/trace-contract'
import type { FileHost } from './file-host'

export interface ConnectionState {
  state: 'connecting' | 'connected' | 'disconnected'
  /** Why we are not connected, for the status bar. */
  detail?: string
}

/**
 * Everything the renderer may ask of the outside world. Two implementations exist (Electron and
 * the browser mode, see ./index.ts); no other renderer code knows which one it runs with.
 */
export interface CortexApi {
  /** Resolves with the result (also after a cancel: its outcome). Other windows get it as onResult. */
  evaluate(code: string, options?: { signal?: AbortSignal; mode?: ReplMode }): Promise<EvalResult>
  runtimeInfo(): Promise<RuntimeInfo>
  /** A page of the namespace tree at `path` ([] lists the user's bindings): previews only, nothing of the user's is run. */
  inspect(path: readonly string[], options?: { offset?: number; limit?: number }): Promise<InspectPage>
  /** Completions at `cursor` of `code` (asked asynchronously: typing never waits for them). */
  complete(code: string, cursor: number): Promise<Completions>
  /** The prompt's history (recent inputs of the project's sessions, oldest first, each once), for the line editor. */
  history(limit?: number): Promise<string[]>
  restartRuntime(): Promise<void>
  /**
   * The window is connected to a new runtime (after a crash or a restart; not after a reconnect to
   * the same one): fires with the session id of the runtime it replaced, whose namespace is lost.
   */
  readonly onNamespaceLost: Event<string>
  /** What of an earlier session (by default the latest before this runtime's) can be replayed: its JS inputs that succeeded, and what is skipped. */
  journal(sessionId?: string): Promise<Journal>
  /** Breaks a synchronous loop in the running evaluation (SIGINT), keeping the namespace. */
  interruptRuntime(): Promise<void>
  /** Opens a file (a path clicked in the output; relative to the runtime's directory) with the system's handler; rejects saying why not. */
  openPath(path: string): Promise<void>
  /**
   * Output batches. A listener may return a promise that settles once the output is drawn: the
   * runtime sends more only then (flow control from the runtime to the screen).
   */
  onOutput(listener: (batch: OutputBatch) => void | Promise<void>): Disposable
  readonly onTaskChange: Event<TaskInfo>
  /** How output is shown (%view, %channel), the same in every window. */
  readonly onDisplayChange: Event<DisplaySettings>
  listTasks(): Promise<TaskInfo[]>
  /** Cancels a task, or every task. */
  cancelTasks(which: { id: string } | { all: true }): Promise<number>
  /** Results of inputs from other windows (this window's come as evaluate's answers). */
  readonly onResult: Event<EvalResult>
  /** The namespace may have changed: an input (this window's or another's) finished, or a task did. For the inspector. */
  readonly onNamespaceChange: Event<void>
  readonly onConnectionChange: Event<ConnectionState>
  readonly onRuntimeStatus: Event<RuntimeStatus>
  readonly connection: ConnectionState
  /** The latest runtime status, if one has arrived yet. */
  readonly runtimeStatus: RuntimeStatus | undefined
  /** The spans of this session, live: the runtime's snapshot when connecting, then its batches. */
  readonly traces: TraceStore
  /** A trace file (OTLP JSON Lines or JSON) of whole traces, of span subtrees (a run), or of the whole session. */
  exportTrace(options: { format: 'otlp-jsonl' | 'otlp-json'; traceIds?: string[]; spanIds?: string[] }): Promise<{ text: string; spans: number; open: number }>
  /** Adds the spans of a trace file (OTLP JSON / JSON Lines, Jaeger JSON) to `traces`; throws a TraceFormatError saying what is wrong. */
  importTrace(text: string, fileName?: string): { spans: number; format: TraceFileFormat }
  // The graph view and span selection.
  /** Binds `$span` / `$node` in the namespace for a span of `traces` (the inspector then shows them). */
  selectSpan(span: SpanDto): Promise<SelectionResult>
  /** The graphs bound in the namespace, and where each live run is. */
  listGraphs(): Promise<{ graphs: GraphTopology[]; runs: GraphProgress[] }>
  /** A run entered a node, waits at a gate, goes on, or ended. */
  readonly onGraphProgress: Event<GraphProgress>
  // Files and status (the File menu, dropped files, the status bar).
  /** Loads a graph file as %load does; every window's REPL prints the result. `path`: the file loaded, if it could be read. */
  loadGraphFile(source: GraphFileSource): Promise<{ result: EvalResult; path?: string }>
  /** Memory, running tasks and waiting gates (the status bar polls it). */
  runtimeStats(): Promise<RuntimeStats>
  /** Dialogs, paths, downloads and the application menu: Electron's or the browser's. */
  readonly files: FileHost
  /** The AI assistant's settings (File ▸ Settings…). The key goes to the host, which passes it to the runtime; no answer ever contains it. */
  readonly settings: AssistantSettingsApi
  dispose(): void
}

export interface AssistantSettingsApi {
  /** Where the key comes from (settings, ANTHROPIC_API_KEY, none), the model, and how a key given here is kept. */
  get(): Promise<AssistantSettingsView>
  /** Stores the key (null forgets it); rejects saying why not (no encryption available, not a key). */
  setApiKey(key: string | null): Promise<AssistantSettingsView>
  setModel(model: string): Promise<AssistantSettingsView>
}
