import type { NodeInstance } from './node'
import { nodeOf } from './node'

/**
 * The base of every error a graph run raises (bae's BaeError). It carries the partial trace: the
 * nodes completed so far, in order, and where the run stopped ("at AnticipateUsersDay, step 2").
 */
export class GraphError extends Error {
  override name = 'GraphError'
  /** The nodes of the run up to the failure, in order. */
  trace: NodeInstance[] = []
  /** The node the run was working on. */
  node: string | undefined
  /** 1-based position of that node in the run. */
  step: number | undefined

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }

  /** "at AnticipateUsersDay, step 2 (after IsTheUserGettingDressed)". */
  get where(): string {
    if (!this.node) return ''
    const before = this.trace.filter((n) => nodeOf(n)?.name !== undefined).map((n) => nodeOf(n)!.name)
    const path = before.slice(0, (this.step ?? before.length + 1) - 1)
    return `at ${this.node}, step ${this.step ?? '?'}${path.length ? ` (after ${path.join(' → ')})` : ''}`
  }
}

/** A dependency function threw (or returned a value its output schema rejects). */
export class DepError extends GraphError {
  override name = 'DepError'
  constructor(
    readonly dep: string,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

/** The LM's answer did not fit the node: not JSON, or a field failed validation. */
export class FillError extends GraphError {
  override name = 'FillError'
  constructor(
    readonly target: string,
    /** The first failing field path, e.g. `inspo.0`; undefined when the answer is not JSON at all. */
    readonly field: string | undefined,
    message: string,
    /** How many answers were tried (1 + retries). */
    readonly attempts: number,
    readonly issues: readonly { path: string; message: string }[] = []
  ) {
    super(message)
  }
}

/** The model backend failed: the network, the API, the CLI, or a replay without that answer. */
export class LmError extends GraphError {
  override name = 'LmError'
  constructor(
    readonly target: string,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

/** A recall found nothing of its kind earlier in the run. */
export class RecallError extends GraphError {
  override name = 'RecallError'
}

/** The run was cancelled through its AbortSignal. */
export class GraphCancelledError extends GraphError {
  override name = 'GraphCancelledError'
}

/** A graph or node definition is invalid: caught at definition or graph time, naming the culprit. */
export class GraphDefinitionError extends TypeError {
  override name = 'GraphDefinitionError'
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `the graph has ${problems.length} problems:\n- ${problems.join('\n- ')}`)
  }
}

/** Gives an escaping error the run's context, once (an inner failure keeps its own). */
export function withRunContext(error: unknown, trace: NodeInstance[], node: string | undefined, step: number): unknown {
  if (!(error instanceof GraphError) || error.node !== undefined) return error
  error.trace = [...trace]
  error.node = node
  error.step = step
  const where = error.where
  if (where) error.message = `${error.message} (${where})`
  return error
}
