import { createContextKey } from '@opentelemetry/api'
import { Emitter } from '../../common/event'
import type { ChannelName, TaskInfo } from '../../common/repl-contract'
import { activeContext, runInContext } from './async-context'

/**
 * A unit of work the user can see and cancel: an evaluation, a graph run, a shell command, an AI
 * request. Its AbortSignal reaches everything it started (deps, HTTP, subprocess groups).
 */
export interface Task {
  readonly id: string
  readonly channel: ChannelName
  readonly signal: AbortSignal
  readonly info: TaskInfo
  /** Marks it waiting (a gate) or running again. */
  setState(state: 'running' | 'waiting'): void
  /** Ends it; later calls are ignored. */
  finish(state: 'done' | 'failed' | 'cancelled', detail?: string): void
  /**
   * Cancels it when `parent` aborts (or at once if it has), from now until it ends: the `parent`
   * of {@link TaskManager.create}, for a task that learns only later that it will wait on something.
   */
  cancelWith(parent: AbortSignal): void
  /** Runs `fn` as this task: its output, errors and child tasks are attributed to it. */
  run<T>(fn: () => T): T
  /** A process group to kill when the task is cancelled. */
  adoptProcess(pid: number): void
}

const PREFIX: Record<TaskInfo['kind'], string> = { eval: 'e', graph: 'g', bash: 'b', ai: 'a' }
const HISTORY = 50

/** Keeps the live tasks, and a bounded history of finished ones. */
export class TaskManager {
  private readonly live = new Map<string, Task>()
  private readonly finished: TaskInfo[] = []
  private readonly counters = new Map<string, number>()
  private readonly changes = new Emitter<TaskInfo>()
  /** Where the running task is kept in the runtime's async context (a key per manager). */
  private readonly key = createContextKey('cortex.task')

  readonly onDidChange = this.changes.event

  /** The task whose work is running now (follows async continuations). */
  get current(): Task | undefined {
    return activeContext().getValue(this.key) as Task | undefined
  }

  list(): TaskInfo[] {
    return [...[...this.live.values()].map((t) => t.info), ...this.finished]
  }

  get(id: string): Task | undefined {
    return this.live.get(id)
  }

  /** Cancels one task (and with it every process it adopted). False if it is not running. */
  cancel(id: string, reason = 'cancelled'): boolean {
    const task = this.live.get(id)
    if (!task) return false
    task.finish('cancelled', reason)
    return true
  }

  cancelAll(reason = 'cancelled'): number {
    const tasks = [...this.live.values()]
    for (const task of tasks) task.finish('cancelled', reason)
    return tasks.length
  }

  /**
   * Starts a task. `id` may be given (an evaluation is numbered by the evaluator); `parent`'s
   * cancellation cancels it too.
   */
  create(kind: TaskInfo['kind'], label: string, options: { channel: ChannelName; id?: string; parent?: AbortSignal }): Task {
    const n = (this.counters.get(kind) ?? 0) + 1
    this.counters.set(kind, n)
    const id = options.id ?? `${PREFIX[kind]}${n}`
    // Made when first asked for: a synchronous evaluation (most inputs) never needs either.
    let controller: AbortController | undefined
    let processes: Set<number> | undefined
    const info: TaskInfo = { id, kind, label, state: 'running', startedAt: Date.now() }
    const key = this.key
    const parents: AbortSignal[] = []
    const onParentAbort = (): void => task.finish('cancelled', 'its parent was cancelled')
    const task: Task = {
      id,
      channel: options.channel,
      get signal() {
        return (controller ??= new AbortController()).signal
      },
      info,
      setState: (state) => {
        if (info.endedAt !== undefined || info.state === state) return
        info.state = state
        this.changes.fire({ ...info })
      },
      finish: (state, detail) => {
        if (info.endedAt !== undefined) return
        info.state = state
        info.endedAt = Date.now()
        if (detail) info.detail = detail
        for (const parent of parents) parent.removeEventListener('abort', onParentAbort)
        if (state === 'cancelled') {
          controller ??= new AbortController()
          controller.abort(new DOMException(detail ?? 'cancelled', 'AbortError'))
          for (const pid of processes ?? []) killGroup(pid)
        }
        this.live.delete(id)
        this.finished.unshift({ ...info })
        this.finished.length = Math.min(this.finished.length, HISTORY)
        this.changes.fire({ ...info })
      },
      cancelWith: (parent) => {
        if (info.endedAt !== undefined) return
        if (parent.aborted) return onParentAbort()
        parents.push(parent)
        parent.addEventListener('abort', onParentAbort, { once: true })
      },
      // The active span stays: work a task starts is traced under the span that started the task.
      run: (fn) => runInContext(activeContext().setValue(key, task), fn),
      adoptProcess: (pid) => void (processes ??= new Set()).add(pid)
    }
    this.live.set(id, task)
    this.changes.fire({ ...info })
    if (options.parent) task.cancelWith(options.parent)
    return task
  }
}

/** Kills a process group (the task's subprocess and everything it started). */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}
