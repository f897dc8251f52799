import { z } from 'zod'
import { OpenPathRequest } from './open-path'
import { defineContract } from './protocol/contract'
import { RuntimeStatus } from './supervision/runtime-supervisor'

/**
 * What the browser-mode host itself serves (on `/host`), next to the runtime connection (on
 * `/runtime`): the runtime's status and a restart, as Electron main offers them over IPC.
 */
export const hostContract = defineContract({
  methods: {
    'host.runtimeStatus': { params: z.object({}).strict(), result: RuntimeStatus },
    'host.restartRuntime': { params: z.object({}).strict(), result: RuntimeStatus },
    /** Sends SIGINT to the runtime: breaks a synchronous loop in an evaluation, keeping the namespace. */
    'host.interruptRuntime': { params: z.object({}).strict(), result: z.object({}) },
    /** Opens an existing regular file with the system's handler (a path clicked in the REPL's output). */
    'host.openPath': { params: OpenPathRequest, result: z.object({}) }
  },
  events: {
    'host.runtimeStatus': RuntimeStatus
  }
})
export type HostContract = typeof hostContract
