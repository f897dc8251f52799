import { z } from 'zod'

/**
 * Output channels: where a write came from. Every write is labelled with its channel and, when it
 * came from a task, with that task, so concurrent tasks never mix unnoticed.
 */
export const ChannelName = z.enum(['js', 'graph', 'ai', 'bash', 'debug', 'system'])
export type ChannelName = z.infer<typeof ChannelName>

export const OutputWrite = z.object({
  channel: ChannelName,
  stream: z.enum(['stdout', 'stderr']),
  /** Whole lines (a write never ends mid-line unless its task finished that way). */
  text: z.string(),
  taskId: z.string().optional(),
  /** The evaluation whose work wrote it, if any. */
  evalId: z.number().int().positive().optional(),
  time: z.number()
})
export type OutputWrite = z.infer<typeof OutputWrite>

/** A batch of output for one client. `dropped` counts display bytes dropped before it (bounded memory). */
export const OutputBatch = z.object({
  seq: z.number().int().positive(),
  writes: z.array(OutputWrite),
  dropped: z.number().int().nonnegative().optional()
})
export type OutputBatch = z.infer<typeof OutputBatch>

export const TaskKind = z.enum(['eval', 'graph', 'bash', 'ai'])
export const TaskState = z.enum(['running', 'waiting', 'done', 'failed', 'cancelled'])
export type TaskState = z.infer<typeof TaskState>

export const TaskInfo = z.object({
  /** e3 (evaluation 3), g1 (graph run 1), b2 (shell command 2), a1 (AI request 1). */
  id: z.string(),
  kind: TaskKind,
  label: z.string(),
  state: TaskState,
  startedAt: z.number(),
  endedAt: z.number().optional(),
  /** Why it failed or was cancelled. */
  detail: z.string().optional()
})
export type TaskInfo = z.infer<typeof TaskInfo>

/** How clients show output, the same in every window: the user view or the debug view (metadata), and channels hidden from view (still recorded). */
export const DisplaySettings = z.object({
  view: z.enum(['user', 'debug']),
  hidden: z.array(ChannelName)
})
export type DisplaySettings = z.infer<typeof DisplaySettings>
