import { z } from 'zod'
import { AssistantSettingsView, ModelName } from './assistant-settings'
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
    'host.openPath': { params: OpenPathRequest, result: z.object({}) },
    /** The assistant's settings: where the key comes from (never the key) and the model. */
    'host.assistantSettings': { params: z.object({}).strict(), result: AssistantSettingsView },
    /** Kept in the host's memory and passed to the runtime; null forgets it. Checked by the host (a rejected argument is logged, the key must not be). */
    'host.setApiKey': { params: z.object({ apiKey: z.string().max(2000).nullable() }).strict(), result: AssistantSettingsView },
    'host.setModel': { params: z.object({ model: ModelName }).strict(), result: AssistantSettingsView }
  },
  events: {
    'host.runtimeStatus': RuntimeStatus
  }
})
export type HostContract = typeof hostContract
