import type { AssistantSettingsView } from './assistant-settings'
import type { OpenPathRequest } from './open-path'
import type { RuntimeStatus } from './supervision/runtime-supervisor'

/**
 * What Electron's preload exposes to the renderer as `window.cortex`: one function per operation,
 * nothing generic. The runtime itself is reached over a MessagePort that main brokers; it arrives
 * as a window message of type {@link RUNTIME_PORT_MESSAGE}.
 */
export interface CortexBridge {
  /** Ask main for a (new) port to the runtime. */
  requestRuntimePort(): void
  /** Kill the runtime and start a fresh one. */
  restartRuntime(): Promise<void>
  /** SIGINT to the runtime: breaks a synchronous loop in an evaluation, keeping the namespace. */
  interruptRuntime(): Promise<void>
  /** Opens an existing regular file with the system's handler; rejects saying why not. */
  openPath(request: OpenPathRequest): Promise<void>
  onRuntimeStatus(listener: (status: RuntimeStatus) => void): () => void
  // Files (the File menu, dropped files).
  /** The path on disk of a File dropped on or chosen in the window (Electron's webUtils.getPathForFile); '' if it has none. */
  pathForFile(file: object): string
  /** The open dialog for graph files; the chosen paths ([] if cancelled). */
  chooseGraphFiles(): Promise<string[]>
  /** The save dialog, then main writes `text` there; the path, or undefined if cancelled. */
  saveTextFile(suggestedName: string, text: string): Promise<string | undefined>
  /** The OS's recent documents (app.addRecentDocument). */
  addRecentDocument(path: string): void
  /** Commands from the application menu (the same as the window's File menu). */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void
  // The assistant's settings: the key goes to main, only where it comes from comes back.
  assistantSettings(): Promise<AssistantSettingsView>
  setApiKey(key: string | null): Promise<AssistantSettingsView>
  setModel(model: string): Promise<AssistantSettingsView>
}

/** What the application menu (Electron) and the window's menu bar can ask the window to do. */
export const MENU_COMMANDS = ['open-graph', 'import-trace', 'export-trace', 'restart-runtime', 'settings', 'shortcuts'] as const
export type MenuCommand = (typeof MENU_COMMANDS)[number]

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (MENU_COMMANDS as readonly string[]).includes(value)
}

export const RUNTIME_PORT_MESSAGE = 'cortex:runtime-port'

/** Electron IPC channel names; each one is handled by exactly one validated handler in main. */
export const IpcChannel = {
  requestRuntimePort: 'cortex:request-runtime-port',
  restartRuntime: 'cortex:restart-runtime',
  interruptRuntime: 'cortex:interrupt-runtime',
  openPath: 'cortex:open-path',
  runtimeStatus: 'cortex:runtime-status',
  runtimePort: 'cortex:runtime-port',
  chooseGraphFiles: 'cortex:choose-graph-files',
  saveTextFile: 'cortex:save-text-file',
  addRecentDocument: 'cortex:add-recent-document',
  menuCommand: 'cortex:menu-command',
  assistantSettings: 'cortex:assistant-settings',
  setApiKey: 'cortex:set-api-key',
  setModel: 'cortex:set-model'
} as const
