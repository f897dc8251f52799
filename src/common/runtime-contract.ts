import { z } from 'zod'
import { SerializedError } from './errors'
import { defineContract } from './protocol/contract'
import { GraphProgress, GraphTopology, SelectionResult, SpanSelection } from './graph-contract'
import { Completions, InspectPage } from './inspect-contract'
import { DisplaySettings, OutputBatch, TaskInfo } from './repl-contract'
import { SpanBatch, SpanDto } from './trace-contract'

/** Evaluations are numbered per runtime session, like IPython's `In [n]`. */
export const EvalId = z.number().int().positive()

/**
 * What an input is: JavaScript/TypeScript (the default: the namespace is the point of Cortex, and
 * graphs are code), a question for the AI assistant, or a shell command.
 */
export const ReplMode = z.enum(['js', 'nl', 'bash'])
export type ReplMode = z.infer<typeof ReplMode>

/** How an evaluation ended: its value rendered for a terminal, or the error it threw. */
export const EvalResult = z.discriminatedUnion('ok', [
  z.object({ evalId: EvalId, ok: z.literal(true), text: z.string() }),
  z.object({ evalId: EvalId, ok: z.literal(false), error: SerializedError })
])
export type EvalResult = z.infer<typeof EvalResult>

export const RuntimeInfo = z.object({
  pid: z.number().int(),
  host: z.enum(['electron-utility', 'node-child', 'in-process']),
  nodeVersion: z.string(),
  uptimeMs: z.number().nonnegative(),
  /** The runtime's working directory (BASH mode's `cd` changes it): relative paths in output are relative to it. */
  cwd: z.string().optional(),
  /** Its session in the session store: a window remembers it, to ask for its journal after a crash. */
  sessionId: z.string().optional()
})
export type RuntimeInfo = z.infer<typeof RuntimeInfo>

/** A graph file to load: a path the runtime can read (Electron, recent files), or a file's text (dropped in a browser). */
export const GraphFileSource = z.union([
  z.object({ path: z.string().min(1).max(4096) }),
  z.object({ name: z.string().min(1).max(255), text: z.string().max(5 * 1024 * 1024) })
])
export type GraphFileSource = z.infer<typeof GraphFileSource>

/** The status bar's view of the runtime: memory, running tasks, gates waiting for an answer. */
export const RuntimeStats = z.object({
  rssBytes: z.number().nonnegative(),
  heapUsedBytes: z.number().nonnegative(),
  heapTotalBytes: z.number().nonnegative(),
  tasks: z.array(z.object({ id: z.string(), label: z.string(), state: z.enum(['running', 'waiting']) })).max(1000),
  gates: z.array(z.object({ id: z.string(), node: z.string(), field: z.string() })).max(1000)
})
export type RuntimeStats = z.infer<typeof RuntimeStats>

/**
 * The inputs of an earlier runtime session (a crashed one) that can be replayed into a new
 * namespace: its JavaScript inputs that succeeded, in order, and the ones skipped with the reason.
 */
export const Journal = z.object({
  /** The session they come from; none when the store holds no earlier session. */
  sessionId: z.string().optional(),
  inputs: z.array(z.string()).max(1000),
  skipped: z.array(z.object({ code: z.string(), reason: z.string() })).max(1000),
  /** Inputs past the first 1000 that could have been replayed, left out. */
  more: z.number().int().nonnegative()
})
export type Journal = z.infer<typeof Journal>

/** The runtime process's API, served to every window (Electron) or browser tab (browser mode). */
export const runtimeContract = defineContract({
  methods: {
    /** Evaluates JavaScript/TypeScript in the session's namespace; resolves when it is done. Output streams as events. */
    'repl.evaluate': {
      params: z.object({ code: z.string().max(10_000_000), mode: ReplMode.default('js') }),
      result: EvalResult
    },
    /** The client has drawn output batch `seq`: the runtime may send more (flow control). */
    'repl.ack': { params: z.object({ seq: z.number().int().positive() }), result: z.object({}) },
    /** A page of the namespace tree at `path` (the inspector): previews only, nothing of the user's is run. */
    'repl.inspect': {
      params: z.object({
        path: z.array(z.string().max(1000)).max(64),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().positive().max(1000).default(100)
      }),
      result: InspectPage
    },
    /** Completions at `cursor` of `code`, within 100 ms. */
    'repl.complete': { params: z.object({ code: z.string().max(100_000), cursor: z.number().int().nonnegative() }), result: Completions },
    /**
     * The prompt's history: recent inputs of the project's sessions (the session store; without
     * one, this session's), oldest first, each once. Windows and the terminal client load it on connecting.
     */
    'repl.history': {
      params: z.object({ limit: z.number().int().positive().max(10_000).default(1000) }),
      result: z.array(z.string())
    },
    /**
     * The journal of an earlier session of the session store (after a crash: the session of the
     * runtime that died), for replay with repl.evaluate. Without `sessionId`, the latest session
     * before this one.
     */
    'repl.journal': {
      params: z.object({ sessionId: z.string().max(64).optional() }),
      result: Journal
    },
    'tasks.list': { params: z.object({}).strict(), result: z.array(TaskInfo) },
    /** Cancels one task, or all of them; returns how many were cancelled. */
    'tasks.cancel': { params: z.union([z.object({ id: z.string() }), z.object({ all: z.literal(true) })]), result: z.object({ cancelled: z.number().int() }) },
    'runtime.info': {
      params: z.object({}).strict(),
      result: RuntimeInfo
    },
    /** The spans recorded so far (a window that connects draws the timeline from these, then follows trace.spans). */
    'trace.snapshot': {
      params: z.object({}).strict(),
      result: z.object({ enabled: z.boolean(), spans: z.array(SpanDto), truncated: z.number().int().nonnegative() })
    },
    /**
     * A trace file (OTLP JSON Lines or OTLP JSON) of whole traces, of span subtrees (a graph run),
     * or, with neither, of the whole session. Secrets are redacted; LM content is kept (for replay).
     */
    'trace.export': {
      params: z.object({
        format: z.enum(['otlp-jsonl', 'otlp-json']).default('otlp-jsonl'),
        traceIds: z
          .array(z.string().regex(/^[0-9a-f]{32}$/))
          .max(10_000)
          .optional(),
        spanIds: z
          .array(z.string().regex(/^[0-9a-f]{16}$/))
          .max(10_000)
          .optional()
      }),
      result: z.object({ text: z.string(), spans: z.number().int(), open: z.number().int() })
    },
    /** The host's heartbeat: a runtime that stops answering is restarted. */
    'runtime.ping': { params: z.object({}).strict(), result: z.object({ uptimeMs: z.number() }) },
    // The graph view and span selection (graph-contract.ts).
    /** Binds `$span` and `$node` in the namespace for a span the user selected (in the timeline). */
    'trace.select': { params: SpanSelection, result: SelectionResult },
    /** The graphs bound in the namespace (their topology), and where each live run is. */
    'graph.list': { params: z.object({}).strict(), result: z.object({ graphs: z.array(GraphTopology), runs: z.array(GraphProgress) }) },
    // Files and status (the File menu, dropped files, the status bar).
    /**
     * Loads a graph file as %load does (exports bound, graphs listed); a file's text is first
     * written to .cortex/dropped/<name>. Every window's REPL gets the result as repl.result; `path`
     * is the file loaded (for the recent files), when it could be read.
     */
    'repl.loadFile': { params: GraphFileSource, result: z.object({ result: EvalResult, path: z.string().optional() }) },
    'runtime.stats': { params: z.object({}).strict(), result: RuntimeStats }
  },
  events: {
    /** Output batches for this client; acknowledge each with repl.ack. */
    'repl.output': OutputBatch,
    /** Broadcast to every client, so all windows on a session show every result. */
    'repl.result': EvalResult,
    'tasks.changed': TaskInfo,
    /** Sent on connecting and whenever %view or %channel changes it. */
    'repl.display': DisplaySettings,
    /** The live span feed, batched (about every 50 ms): spans that started (still open) and spans that ended. */
    'trace.spans': SpanBatch,
    /** A run entered a node, waits at a gate, goes on, or ended (at most every 50 ms per run: the latest). */
    'graph.progress': GraphProgress
  }
})
export type RuntimeContract = typeof runtimeContract

/**
 * Electron main → utility process, over `process.parentPort`: "serve the MessagePort that comes
 * with this message". One per window; each port is a separate client of the same runtime.
 */
export const AttachPortMessage = z.object({ kind: z.literal('attach') })

/**
 * Runtime → its host (a control message, beside the heartbeat's pongs): an input's synchronous
 * code that may run long starts (`running`) or ends. Silence in between is the user's computation.
 */
export const BlockingRunMessage = z.object({ kind: z.literal('blocking-run'), running: z.boolean() })
