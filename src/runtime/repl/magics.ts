import { parse } from 'acorn'
import { readFileSync, statSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { serializeError } from '../../common/errors'
import { writeFileAtomic } from '../files/write-file-atomic'
import { ChannelName, type DisplaySettings } from '../../common/repl-contract'
import type { EvalResult, ReplMode } from '../../common/runtime-contract'
import { Graph } from '../graph/graph'
import { isNodeDef } from '../graph/node'
import type { Evaluator } from './evaluator'
import { type TraceSession } from '../tracing/session'
import type { Assistant, RunCodeMode } from '../ai/assistant'
import { HISTORY_SIZE } from './evaluator'

/**
 * Magics: `%name args`, as in IPython (a line starting with `%` is never valid JavaScript, so
 * nothing the user means as code is taken for one).
 */
export const MAGICS: Record<string, string> = {
  help: '%help — this list, the modes and the keys',
  clear: '%clear — drop the result history (_, _1…_10, _error) and collect garbage; says what was freed',
  gc: '%gc — the same as %clear',
  load: '%load FILE — import a graph file (.ts or .js): its exports become bindings, its graphs are listed',
  time: '%time EXPR — evaluate EXPR and say how long it took',
  history: '%history [QUERY] — the inputs of this session (matching QUERY)',
  save: '%save FILE — write this session’s JavaScript inputs to FILE, as a script',
  view: '%view user|debug — the user view, or the debug view (each write with its time, channel, task and stream)',
  channel: '%channel NAME on|off — show or hide a channel (js, graph, ai, bash, debug, system); hidden output is still recorded',
  ai: '%ai — the assistant: model, key (set or missing), conversations, context; %ai model NAME; %ai new — a fresh conversation; %ai tools always|ask|never — how run_code may run',
  trace:
    '%trace [on|off] — tracing status, or switch it; %trace sample RATIO|all — the share of traces sent to the collector; ' +
    '%trace export FILE [g1 … | TRACE_ID …] — write runs, traces or the whole session as OTLP JSON Lines (.jsonl) or OTLP JSON (.json)'
}

const HELP = `${Object.values(MAGICS).join('\n')}

Modes (Shift+Tab): JS (JavaScript/TypeScript, the default), NL (ask the AI), BASH (shell commands).
@g1.0 VALUE answers gate 0 of graph run g1; @a1.0 yes|no approves code the AI wants to run; in NL mode @2 QUESTION asks in conversation 2 (and stays there). ns() lists your bindings; ns(x) tells about x.
Enter runs the input (an open bracket, string or template continues it on a new line); Shift+Enter (terminal: Alt+Enter or Ctrl+J) adds a line;
Up/Down move between lines, then through the history (this project's inputs, every window's); Ctrl+R searches it (Enter takes the match, Esc restores);
Tab completes (while you type JS a list shows: Up/Down pick, Tab/Enter take, Esc closes);
Ctrl+C cancels (twice: interrupts a stuck loop), or clears the input; Ctrl+D on an empty line exits the terminal client.`

export interface InputRecord {
  readonly mode: ReplMode
  readonly code: string
  readonly ok: boolean
}

export interface MagicHost {
  readonly evaluator: Evaluator
  readonly display: DisplaySettings
  setDisplay(display: DisplaySettings): void
  /** This session's inputs, oldest first. */
  readonly inputs: readonly InputRecord[]
  importModule(specifier: string): Promise<unknown>
  signal: AbortSignal
  readonly traces: TraceSession
  readonly assistant?: Assistant
}

let collect: (() => void) | undefined
/** Node's gc(), without starting the runtime with --expose-gc. */
function gc(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc')
    collect = runInNewContext('gc') as () => void
  }
  collect()
}

const ok = (evalId: number, text: string): EvalResult => ({ evalId, ok: true, text })
const fail = (evalId: number, name: string, message: string): EvalResult => ({ evalId, ok: false, error: { name, message, code: 'magic' } })

export function isMagic(code: string): boolean {
  return /^\s*%[a-z]/.test(code)
}

export async function runMagic(code: string, host: MagicHost): Promise<EvalResult> {
  const [, name = '', rest = ''] = /^\s*%([a-z]+)\s*([\s\S]*?)\s*$/.exec(code) ?? []
  if (!Object.hasOwn(MAGICS, name)) return fail(host.evaluator.reserveId(), 'UnknownMagic', `no magic %${name}; %help lists them`)
  if (name === 'time') {
    if (!rest) return fail(host.evaluator.reserveId(), 'Usage', MAGICS.time!)
    const started = performance.now()
    const result = await host.evaluator.evaluate(rest, { signal: host.signal })
    const took = `${(performance.now() - started).toFixed(2)} ms`
    return result.ok
      ? { ...result, text: `${result.text}\n(${took})` }
      : { ...result, error: { ...result.error, message: `${result.error.message} (after ${took})` } }
  }
  const evalId = host.evaluator.reserveId()
  switch (name) {
    case 'help':
      return ok(evalId, HELP)
    case 'clear':
    case 'gc': {
      const before = process.memoryUsage().heapUsed
      const context = host.evaluator.context
      let dropped = 0
      for (const key of ['_', '_error', ...Array.from({ length: HISTORY_SIZE }, (_, i) => `_${i + 1}`)]) {
        if (context[key] !== undefined) dropped++
        context[key] = undefined
      }
      host.evaluator.clearHistory()
      gc()
      const freed = (before - process.memoryUsage().heapUsed) / 1024 / 1024
      return ok(
        evalId,
        `dropped ${dropped} history reference${dropped === 1 ? '' : 's'}; heap ${freed >= 0 ? `freed ${freed.toFixed(1)} MB` : `grew ${(-freed).toFixed(1)} MB`}`
      )
    }
    case 'history': {
      const query = rest.toLowerCase()
      const lines = host.inputs
        .filter((i) => i.code.toLowerCase().includes(query))
        .map((i, n) => `${String(n + 1).padStart(4)}  ${i.mode === 'js' ? '' : `[${i.mode}] `}${i.code}`)
      return ok(evalId, lines.join('\n') || '(no inputs)')
    }
    case 'save': {
      if (!rest) return fail(evalId, 'Usage', MAGICS.save!)
      const path = resolve(process.cwd(), rest)
      const script = host.inputs.filter((i) => i.mode === 'js' && i.ok && !isMagic(i.code)).map((i) => i.code)
      try {
        writeFileAtomic(path, `${script.join('\n')}\n`)
      } catch (error) {
        return fail(evalId, 'SaveError', (error as Error).message)
      }
      return ok(evalId, `saved ${script.length} input${script.length === 1 ? '' : 's'} to ${path}`)
    }
    case 'load':
      return load(evalId, rest, host)
    case 'trace':
      return traceMagic(evalId, rest, host.traces)
    case 'ai':
      return host.assistant ? aiMagic(evalId, rest, host.assistant) : fail(evalId, 'NoAssistant', 'no assistant in this runtime')
    case 'view': {
      if (rest !== 'user' && rest !== 'debug') return fail(evalId, 'Usage', MAGICS.view!)
      host.setDisplay({ ...host.display, view: rest })
      return ok(evalId, `${rest} view`)
    }
    case 'channel': {
      const [channel, state] = rest.split(/\s+/)
      const parsed = ChannelName.safeParse(channel)
      if (!parsed.success || (state !== 'on' && state !== 'off')) return fail(evalId, 'Usage', MAGICS.channel!)
      const hidden = new Set(host.display.hidden)
      if (state === 'off') hidden.add(parsed.data)
      else hidden.delete(parsed.data)
      host.setDisplay({ ...host.display, hidden: [...hidden] })
      return ok(evalId, `${parsed.data} ${state === 'on' ? 'shown' : 'hidden (still recorded)'}`)
    }
  }
  return fail(evalId, 'UnknownMagic', `no magic %${name}`)
}

async function load(evalId: number, file: string, host: MagicHost): Promise<EvalResult> {
  if (!file) return fail(evalId, 'Usage', MAGICS.load!)
  return (await loadGraphFile(evalId, resolve(process.cwd(), file), host)).result
}

/** What loading a graph file bound: for the welcome line and the window's recent files. */
export interface LoadedFile {
  readonly path: string
  readonly names: readonly string[]
  readonly graphs: readonly string[]
}

/** Graph files bigger than this are refused (a graph is code someone wrote, not data). */
export const MAX_GRAPH_FILE_BYTES = 5 * 1024 * 1024

/**
 * Imports the graph file at `path` (absolute) and binds its exports in the namespace, even when it
 * has no graph (its nodes may be what the user wants). `%load`, startup files and dropped files
 * all come here. `url` overrides the module URL (a query string makes a changed file load again).
 */
export async function loadGraphFile(
  evalId: number,
  path: string,
  host: Pick<MagicHost, 'evaluator' | 'importModule'>,
  url?: string
): Promise<{ result: EvalResult; loaded?: LoadedFile }> {
  let size: number
  try {
    const stats = statSync(path)
    if (!stats.isFile()) return { result: fail(evalId, 'LoadError', `cannot read ${path}: not a file`) }
    size = stats.size
  } catch (error) {
    const code = (error as { code?: string }).code
    return { result: fail(evalId, 'LoadError', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`) }
  }
  if (size > MAX_GRAPH_FILE_BYTES)
    return { result: fail(evalId, 'LoadError', `cannot load ${path}: too large (${(size / 1024 / 1024).toFixed(1)} MB; a graph file may have 5 MB)`) }
  let module: Record<string, unknown>
  try {
    module = (await host.importModule(url ?? path)) as Record<string, unknown>
  } catch (error) {
    // The file may throw anything (null, 42, a Proxy whose traps throw): read it only through serializeError.
    const { name, message: text, code } = serializeError(error)
    // Not found: the file itself, unless the message names who imported it (a missing import of the file).
    if (code === 'ENOENT' || (code === 'ERR_MODULE_NOT_FOUND' && !text.includes('imported from')))
      return { result: fail(evalId, 'LoadError', `cannot read ${path}: no such file`) }
    if (text.startsWith(path)) return { result: fail(evalId, name, text) }
    // Node's own syntax errors (JavaScript files) carry no location in their message: find it.
    const located = /\.[cm]?js$/i.test(path) ? locateSyntaxError(path) : undefined
    return { result: located ? fail(evalId, 'SyntaxError', located) : fail(evalId, name === 'NonErrorThrown' ? 'LoadError' : name, `${path}: ${text}`) }
  }
  const names = Object.keys(module).filter((k) => k !== 'default')
  for (const name of names) host.evaluator.context[name] = module[name]
  host.evaluator.namespaceChanged() // completion and the secret scan see the new names
  // An export whose traps or getters throw (a hostile Proxy) is neither a graph nor a node; it is still bound.
  const isGraph = (value: unknown): boolean =>
    value instanceof Graph ||
    (typeof value === 'function' && (value as { graph?: unknown }).graph instanceof Graph) ||
    (value as { graph?: unknown } | undefined)?.graph !== undefined
  const graphs = names.filter((name) => holdsSafely(() => isGraph(module[name])))
  const nodes = names.filter((name) => holdsSafely(() => isNodeDef(module[name])))
  const summary = `loaded ${path}: ${names.length} binding${names.length === 1 ? '' : 's'} (${listNames(names) || 'none'})`
  const found = graphs.length ? `graphs: ${listNames(graphs)}` : `no graph in ${basename(path)} (export one made with graph(Start))`
  return { result: ok(evalId, `${summary}\n${found}${nodes.length ? `\nnodes: ${listNames(nodes)}` : ''}`), loaded: { path, names, graphs } }
}

/** `test()`, or false when it throws. */
function holdsSafely(test: () => boolean): boolean {
  try {
    return test()
  } catch {
    return false
  }
}

/** The names a load summary shows: a file with thousands of exports gets the first ones and a count, not a page. */
const MAX_LISTED_NAMES = 50

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED_NAMES).join(', ')
  return names.length > MAX_LISTED_NAMES ? `${shown}, … ${names.length - MAX_LISTED_NAMES} more` : shown
}

/** `file:line:col: reason`, the line and a caret, for a JavaScript file acorn cannot parse (else undefined). */
function locateSyntaxError(path: string): string | undefined {
  let code: string
  try {
    code = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  try {
    parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true })
    return undefined
  } catch (error) {
    const { loc, message } = error as { loc?: { line: number; column: number }; message: string }
    if (!loc) return undefined
    const line = code.split('\n')[loc.line - 1] ?? ''
    return `${path}:${loc.line}:${loc.column + 1}: ${message.replace(/\s*\(\d+:\d+\)$/, '')}\n${line}\n${' '.repeat(loc.column)}^`
  }
}

function aiMagic(evalId: number, args: string, assistant: Assistant): EvalResult {
  const [verb = '', value] = args.split(/\s+/).filter(Boolean)
  switch (verb) {
    case '':
      return ok(evalId, assistant.status())
    case 'model':
      if (!value) return ok(evalId, `model: ${assistant.model}`)
      assistant.model = value
      return ok(evalId, `model: ${value}`)
    case 'new':
      return ok(evalId, `conversation ${assistant.newConversation()} (fresh: no earlier exchanges are sent)`)
    case 'tools': {
      const modes: readonly RunCodeMode[] = ['always', 'ask', 'never']
      if (!value) return ok(evalId, `run_code: ${assistant.runCode}`)
      if (!modes.includes(value as RunCodeMode)) return fail(evalId, 'Usage', MAGICS.ai!)
      assistant.runCode = value as RunCodeMode
      return ok(evalId, `run_code: ${value}`)
    }
  }
  return fail(evalId, 'Usage', MAGICS.ai!)
}

async function traceMagic(evalId: number, args: string, traces: TraceSession): Promise<EvalResult> {
  const [verb = '', ...rest] = args.split(/\s+/).filter(Boolean)
  switch (verb) {
    case '':
      return ok(evalId, traces.status())
    case 'on':
      traces.start()
      return ok(evalId, 'tracing on')
    case 'off':
      await traces.stop()
      return ok(evalId, 'tracing off: no spans are created (those recorded stay exportable)')
    case 'sample': {
      const ratio = rest[0] === 'all' ? 1 : Number(rest[0])
      if (rest.length !== 1 || !Number.isFinite(ratio) || ratio < 0 || ratio > 1)
        return fail(evalId, 'Usage', '%trace sample RATIO|all — RATIO between 0 and 1')
      try {
        traces.setExportRatio(ratio)
      } catch (error) {
        return fail(evalId, 'TraceError', (error as Error).message)
      }
      return ok(evalId, `the collector gets ${Math.round(ratio * 100)} % of traces`)
    }
    case 'export': {
      const [file, ...ids] = rest
      if (!file) return fail(evalId, 'Usage', MAGICS.trace!)
      const path = resolve(process.cwd(), file)
      const selection = selectionOf(ids, traces)
      if (typeof selection === 'string') return fail(evalId, 'TraceError', selection)
      const exported = traces.exportFile(/\.json$/i.test(file) ? 'otlp-json' : 'otlp-jsonl', selection)
      if (exported.spans === 0)
        return fail(evalId, 'TraceError', exported.open ? 'nothing finished to export yet: the selected spans are still open' : 'no spans to export')
      try {
        // All or nothing: a full disk leaves no half trace file (and an earlier export stays whole).
        writeFileAtomic(path, exported.text)
      } catch (error) {
        return fail(evalId, 'TraceError', (error as Error).message)
      }
      const open = exported.open ? ` (${exported.open} still open, left out)` : ''
      return ok(evalId, `exported ${exported.spans} span${exported.spans === 1 ? '' : 's'} to ${path}${open}`)
    }
  }
  return fail(evalId, 'Usage', MAGICS.trace!)
}

/** Graph run ids (`g1`) name their run's span subtree; 32-hex ids name whole traces. */
function selectionOf(ids: readonly string[], traces: TraceSession): { traceIds?: string[]; spanIds?: string[] } | string {
  const traceIds: string[] = []
  const spanIds: string[] = []
  for (const id of ids) {
    if (/^[0-9a-f]{32}$/.test(id)) {
      traceIds.push(id)
      continue
    }
    const run = traces.spans().find((span) => span.attributes['cortex.run.id'] === id)
    if (!run) return `no graph run ${id} in this session's traces (runs are named g1, g2, …; trace ids have 32 hex digits)`
    spanIds.push(run.spanId)
  }
  return { traceIds, spanIds }
}
