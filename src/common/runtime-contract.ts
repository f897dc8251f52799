import { z } from 'zod'
import { SerializedError } from './errors'
import { defineContract } from './protocol/contract'

/** Evaluations are numbered per runtime session, like IPython's `In [n]`. */
export const EvalId = z.number().int().positive()

/** Text written by user code (console.log and friends) while an evaluation, or its async work, ran. */
export const OutputChunk = z.object({
  /** The evaluation that produced it; absent when no evaluation can be blamed. */
  evalId: EvalId.optional(),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string()
})
export type OutputChunk = z.infer<typeof OutputChunk>

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
  uptimeMs: z.number().nonnegative()
})
export type RuntimeInfo = z.infer<typeof RuntimeInfo>

/** The runtime process's API, served to every window (Electron) or browser tab (browser mode). */
export const runtimeContract = defineContract({
  methods: {
    /** Evaluates JavaScript in the session's persistent namespace. Output streams as events. */
    'repl.evaluate': {
      params: z.object({ code: z.string().max(10_000_000) }),
      result: EvalResult
    },
    'runtime.info': {
      params: z.object({}).strict(),
      result: RuntimeInfo
    }
  },
  events: {
    'repl.output': OutputChunk,
    /** Broadcast to every client, so all windows on a session show every result. */
    'repl.result': EvalResult
  }
})
export type RuntimeContract = typeof runtimeContract

/**
 * Electron main → utility process, over `process.parentPort`: "serve the MessagePort that comes
 * with this message". One per window; each port is a separate client of the same runtime.
 */
export const AttachPortMessage = z.object({ kind: z.literal('attach') })
