import { Console } from 'node:console'
import { existsSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import { serializeError, type SerializedError } from '../../common/errors'
import { whenReady, type Maybe } from '../../common/maybe'
import type { EvalResult } from '../../common/runtime-contract'
import type { OutputRouter } from '../engine/output'
import type { Task, TaskManager } from '../engine/tasks'
import { ATTR, inSpan, markFailed } from '../tracing/tracer'
import { render } from './render'
import { IMPORT_HELPER, InputSyntaxError, transformInput } from './transform'

const INPUT_FILE_PREFIX = 'input-'
/** The namespace's vm context name (the inspector finds it by this name: the AI's read-only evaluate). */
export const NAMESPACE_CONTEXT_NAME = 'Cortex namespace'
/** Results kept as `_1` (newest) … `_10`; older ones are released (pitfall 6). */
export const HISTORY_SIZE = 10
/**
 * Where Cortex is installed (the nearest folder with a package.json, from source or from the build):
 * its own frames and its dependencies' frames (tracing wrappers, zod) are not the user's business.
 */
const CORTEX_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)))

function packageRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

/**
 * Keeps the frames of the user's code (REPL inputs and their own files); drops Node's internals and
 * Cortex's own frames. Lines before the first frame (the message) are kept.
 */
export function trimStack(stack: string): string {
  const lines = stack.split('\n')
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line))
  if (firstFrame < 0) return stack
  const userFrames = lines
    .slice(firstFrame)
    .filter((line) => line.includes(INPUT_FILE_PREFIX) || (!/\(node:|at node:|\(internal\//.test(line) && !line.includes(CORTEX_ROOT + sep)))
  return [...lines.slice(0, firstFrame), ...userFrames].join('\n')
}

/** The host globals user code may use (a vm context starts with only ECMAScript's). */
function hostGlobals(): Record<string, unknown> {
  return {
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    setImmediate,
    clearImmediate,
    queueMicrotask,
    structuredClone,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    Event,
    EventTarget,
    fetch,
    Headers,
    Request,
    Response,
    Blob,
    performance,
    crypto,
    Buffer
  }
}

export interface EvaluatorOptions {
  output: OutputRouter
  tasks: TaskManager
  /** Loads a module for `import` in an input (npm packages, `node:` modules, relative files). */
  importModule(specifier: string): Promise<unknown>
  /** More globals for the namespace (the framework API, the engine…). */
  seed?: Record<string, unknown>
  /**
   * Signals whose handlers cannot run while an input runs synchronously (a runtime sharing its
   * host's process: the host's SIGTERM handler waits for the event loop). For that time they get
   * their default action, ending the process, rather than waiting for a loop that may never end;
   * Node does the same for SIGINT under breakOnSigint.
   */
  signalsDuringSyncRuns?: readonly NodeJS.Signals[]
  /**
   * Called when an input's synchronous code that may run long (it has loops or calls) starts
   * (`true`) and when it ends (`false`): the host, told, knows that a runtime that stops answering
   * its heartbeat meanwhile is computing what the user asked for, not stuck, and leaves it to
   * finish (or to Ctrl+C).
   */
  onBlockingRun?: (running: boolean) => void
}

function interrupted(error: unknown): boolean {
  try {
    return (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED'
  } catch {
    return false // a Proxy whose traps throw: certainly not Node's interrupt
  }
}

/** Runs `run` with the listeners of `signals` taken away, and puts them back after. */
function withDefaultAction<T>(signals: readonly NodeJS.Signals[], run: () => T): T {
  if (signals.length === 0) return run()
  const saved = signals.map((signal) => ({ signal, listeners: process.rawListeners(signal) as Array<(...args: unknown[]) => void> }))
  for (const signal of signals) process.removeAllListeners(signal)
  try {
    return run()
  } finally {
    for (const { signal, listeners } of saved) for (const listener of listeners) process.on(signal, listener)
  }
}

/** Races a promise against the task's signal: a promise that never settles can still be cancelled. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error))
    )
  })
}

/**
 * Evaluates REPL inputs in the namespace: one persistent `vm` context of its own (runtime
 * internals stay out of it, though a vm context is no security boundary). Each evaluation is a
 * task; its `console` output is labelled with it, also from async work it started. Synchronous
 * code runs with `breakOnSigint`, so SIGINT to the runtime breaks an infinite loop and keeps the
 * namespace; an awaited promise races the task's signal, so cancelling always returns the prompt.
 */
export class Evaluator {
  readonly context: vm.Context
  private lastId = 0
  /** Grows with every evaluation: caches of what the namespace holds (completion) key on it. */
  generation = 0
  /**
   * Grows with every evaluation that may have declared, assigned or deleted a name (see
   * TransformedInput.mayBind), and whenever the namespace is changed from outside: the scan for
   * secret-named variables keys on it. `1 + i` leaves it as it is.
   */
  bindings = 0
  private readonly history: unknown[] = []

  constructor(private readonly options: EvaluatorOptions) {
    const console = new Console({ stdout: this.sink('stdout'), stderr: this.sink('stderr'), colorMode: true })
    this.context = vm.createContext({ ...hostGlobals(), console, ...options.seed }, { name: NAMESPACE_CONTEXT_NAME })
    Object.defineProperty(this.context, IMPORT_HELPER, { value: (specifier: string) => options.importModule(String(specifier)), enumerable: false })
    this.context['_'] = undefined
    this.context['_error'] = undefined
  }

  /** The evaluation whose (possibly async) work is running now, if any. */
  get currentEvalId(): number | undefined {
    const task = this.options.tasks.current
    return task?.id.startsWith('e') ? Number(task.id.slice(1)) : undefined
  }

  /** The namespace was changed other than by an evaluation (bindings made by the host, a loaded file). */
  namespaceChanged(): void {
    this.generation++
    this.bindings++
  }

  /** Numbers an input of another mode (shell, AI) in the same sequence as evaluations. */
  reserveId(): number {
    return ++this.lastId
  }

  /**
   * Runs one input as a task; `options.signal` aborting cancels it. The signal is read only if the
   * input awaits (a synchronous one ends before any cancel can arrive), so a caller may pass an
   * object that makes it when read (an RPC request's context). A synchronous input is answered
   * within this call when no span is recorded (the pipe mode's `1 + 1`: no promise turn per layer);
   * an input that awaits, or any input while spans are recorded, is answered by a promise.
   */
  evaluate(code: string, options: { readonly signal?: AbortSignal } = {}): Maybe<EvalResult> {
    const evalId = ++this.lastId
    this.generation++
    const label = code.split('\n')[0]!.slice(0, 80)
    const task = this.options.tasks.create('eval', label, { channel: 'js', id: `e${evalId}` })
    // The root span of what this input does (graph runs it starts are its children).
    return task.run(() =>
      inSpan(
        'repl.input',
        () => ({ [ATTR.evalId]: evalId, [ATTR.input]: code.slice(0, 1000), [ATTR.mode]: 'js' }),
        (span) =>
          whenReady(this.run(code, evalId, task, options), (result) => {
            if (!result.ok) markFailed(span, `${result.error.name}: ${result.error.message}`)
            return result
          })
      )
    )
  }

  /** Runs an input's synchronous code that may run long, telling the host when it starts and ends. */
  private runBlocking(runScript: () => unknown): unknown {
    this.options.onBlockingRun?.(true)
    try {
      return withDefaultAction(this.options.signalsDuringSyncRuns ?? [], runScript)
    } finally {
      this.options.onBlockingRun?.(false)
    }
  }

  private run(code: string, evalId: number, task: Task, options: { readonly signal?: AbortSignal }): Maybe<EvalResult> {
    let value: unknown
    try {
      const transformed = transformInput(code)
      if (transformed.mayBind) this.bindings++
      const script = new vm.Script(transformed.code, { filename: `${INPUT_FILE_PREFIX}${evalId}` })
      const runScript = (): unknown => script.runInContext(this.context, { breakOnSigint: transformed.mayRunLong, displayErrors: false })
      value = transformed.mayRunLong ? this.runBlocking(runScript) : runScript()
      if (transformed.isAsync) {
        const parent = options.signal
        if (parent) task.cancelWith(parent)
        return untilAborted(value as Promise<unknown>, task.signal).then(
          (settled) => this.ended(task, () => this.succeeded(settled, evalId, task)),
          (thrown: unknown) => this.ended(task, () => this.failed(thrown, evalId, task))
        )
      }
    } catch (thrown) {
      return this.ended(task, () => this.failed(thrown, evalId, task))
    }
    return this.ended(task, () => this.succeeded(value, evalId, task))
  }

  /** The input's answer; its task's output is flushed after, however it ended. */
  private ended(task: Task, answer: () => EvalResult): EvalResult {
    try {
      return answer()
    } finally {
      this.options.output.endTask(task.id)
    }
  }

  /** An input that ran to `value`: it becomes `_`, and its text the answer (showing it may still fail). */
  private succeeded(value: unknown, evalId: number, task: Task): EvalResult {
    try {
      this.remember(value)
      task.finish('done')
      return { evalId, ok: true as const, text: render(value) }
    } catch (thrown) {
      return this.failed(thrown, evalId, task)
    }
  }

  /** An input that threw, or was cancelled or interrupted. */
  private failed(thrown: unknown, evalId: number, task: Task): EvalResult {
    if (task.signal.aborted) {
      task.finish('cancelled', 'cancelled')
      return { evalId, ok: false as const, error: { name: 'Cancelled', message: 'the evaluation was cancelled', code: 'cancelled' } }
    }
    if (interrupted(thrown)) {
      task.finish('cancelled', 'interrupted')
      return {
        evalId,
        ok: false as const,
        error: {
          name: 'Interrupted',
          message: 'interrupted (Ctrl+C); the namespace is intact',
          code: 'interrupted'
        }
      }
    }
    this.context['_error'] = thrown
    const error = describeError(thrown)
    task.finish('failed', error.message)
    return { evalId, ok: false as const, error }
  }

  /** Forgets the result history (the namespace's _, _1… are cleared by the caller). */
  clearHistory(): void {
    this.history.length = 0
  }

  private remember(value: unknown): void {
    if (value === undefined) return
    this.context['_'] = value
    this.history.unshift(value)
    this.history.length = Math.min(this.history.length, HISTORY_SIZE)
    for (let i = 0; i < HISTORY_SIZE; i++) this.context[`_${i + 1}`] = this.history[i]
  }

  private sink(stream: 'stdout' | 'stderr'): Writable {
    return new Writable({
      decodeStrings: false,
      write: (chunk: string | Buffer, _encoding, done) => {
        const task = this.options.tasks.current
        const evalId = this.currentEvalId
        this.options.output.write(task?.channel ?? 'js', stream, chunk.toString(), { ...(task ? { taskId: task.id } : {}), ...(evalId ? { evalId } : {}) })
        done()
      }
    })
  }
}

/** An error as the user reads it: trimmed stack, a syntax error's caret, a graph error's trace. */
export function describeError(thrown: unknown): SerializedError {
  let syntax = false
  try {
    syntax = thrown instanceof InputSyntaxError
  } catch {
    // a Proxy whose getPrototypeOf trap throws
  }
  if (syntax && thrown instanceof InputSyntaxError) {
    return { name: 'SyntaxError', message: `${thrown.message} (line ${thrown.line}, column ${thrown.column + 1})`, stack: thrown.frame, code: 'syntax' }
  }
  const error = serializeError(thrown)
  if (error.stack) error.stack = trimStack(error.stack)
  // A graph error carries where the run was and the nodes it had done.
  try {
    const where = (thrown as { where?: unknown }).where
    const trace = (thrown as { trace?: unknown }).trace
    if (typeof where === 'string' && Array.isArray(trace)) {
      const names = trace.map((n: unknown) => (n && typeof n === 'object' ? (n.constructor?.name ?? '?') : '?'))
      error.details = { where, trace: names }
    }
  } catch {
    // its getters threw: show it without the trace
  }
  return error
}
