/**
 * The renderer's only window into Electron. One function per operation, nothing generic; the
 * runtime port main sends is handed to the page as a window message (ports cannot cross the
 * context bridge as arguments).
 */
import { contextBridge, ipcRenderer } from 'electron'
import { IpcChannel, RUNTIME_PORT_MESSAGE, type CortexBridge } from '../common/bridge'
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
  }
}

contextBridge.exposeInMainWorld('cortex', bridge)
