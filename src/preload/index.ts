/**
 * The renderer's only window into Electron. One function per operation, nothing generic; the
 * runtime port main sends is handed to the page as a window message (ports cannot cross the
 * context bridge as arguments).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { IpcChannel, RUNTIME_PORT_MESSAGE, type CortexBridge, type MenuCommand } from '../common/bridge'
import type { RuntimeStatus } from '../common/supervision/runtime-supervisor'

ipcRenderer.on(IpcChannel.runtimePort, (event) => {
  window.postMessage(RUNTIME_PORT_MESSAGE, '*', event.ports)
})

const bridge: CortexBridge = {
  requestRuntimePort: () => ipcRenderer.send(IpcChannel.requestRuntimePort),
  restartRuntime: () => ipcRenderer.invoke(IpcChannel.restartRuntime) as Promise<void>,
  interruptRuntime: () => ipcRenderer.invoke(IpcChannel.interruptRuntime) as Promise<void>,
  openPath: (request) => ipcRenderer.invoke(IpcChannel.openPath, request) as Promise<void>,
  onRuntimeStatus: (listener) => {
    // The status is validated by the renderer, like every message it receives.
    const forward = (_event: unknown, status: RuntimeStatus): void => listener(status)
    ipcRenderer.on(IpcChannel.runtimeStatus, forward)
    return () => ipcRenderer.off(IpcChannel.runtimeStatus, forward)
  },
  pathForFile: (file) => webUtils.getPathForFile(file as File),
  chooseGraphFiles: () => ipcRenderer.invoke(IpcChannel.chooseGraphFiles) as Promise<string[]>,
  saveTextFile: (suggestedName, text) => ipcRenderer.invoke(IpcChannel.saveTextFile, suggestedName, text) as Promise<string | undefined>,
  addRecentDocument: (path) => ipcRenderer.send(IpcChannel.addRecentDocument, path),
  onMenuCommand: (listener) => {
    // Checked by the renderer (isMenuCommand) before it acts.
    const forward = (_event: unknown, command: MenuCommand): void => listener(command)
    ipcRenderer.on(IpcChannel.menuCommand, forward)
    return () => ipcRenderer.off(IpcChannel.menuCommand, forward)
  },
  assistantSettings: () => ipcRenderer.invoke(IpcChannel.assistantSettings) as ReturnType<CortexBridge['assistantSettings']>,
  setApiKey: (key) => ipcRenderer.invoke(IpcChannel.setApiKey, key) as ReturnType<CortexBridge['setApiKey']>,
  setModel: (model) => ipcRenderer.invoke(IpcChannel.setModel, model) as ReturnType<CortexBridge['setModel']>
}

contextBridge.exposeInMainWorld('cortex', bridge)
