/** Electron main: app lifecycle only. Policy lives in security.ts, ipc.ts and runtime-host.ts. */
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { app, BrowserWindow, dialog, Menu, safeStorage, session, shell } from 'electron'
import { z } from 'zod'
import { ModelName } from '../common/assistant-settings'
import { IpcChannel, type MenuCommand } from '../common/bridge'
import { serializeError, setUnexpectedErrorHandler } from '../common/errors'
import { createLineLogger } from '../common/logger'
import { OpenPathRequest } from '../common/open-path'
import { addRecentDocument, chooseGraphFiles, saveTextFile, type FileDialogs } from './files'
import { handleIpc, listenIpc, type IpcPolicy } from './ipc'
import { startupLoad } from './launch'
import { appMenuTemplate } from './menu'
import { openUserFile } from './open-path'
import { RuntimeHost } from './runtime-host'
import { hardenSession, hardenWebContents, isAppUrl } from './security'
import { AssistantSettings } from './settings'
import { createMainWindow } from './window'

const here = fileURLToPath(new URL('.', import.meta.url))
const log = createLineLogger('main', (line) => process.stderr.write(`${line}\n`))
setUnexpectedErrorHandler((error) => log.error('unexpected error', serializeError(error)))

// The dev server URL is honoured only in development: a packaged app loads nothing but its own files.
const devUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL']
const appUrl = devUrl ?? pathToFileURL(join(here, '../renderer/index.html')).href
const policy: IpcPolicy = { isAppUrl: (url) => isAppUrl(url, appUrl), log }

// Graph files to load at startup (the runtime inherits the environment): see launch.ts.
const load = startupLoad(process.argv, process.env, { packaged: app.isPackaged, example: join(app.getAppPath(), 'examples/ootd/index.ts'), cwd: process.cwd() })
if (load !== undefined) process.env['CORTEX_LOAD'] = load

app.enableSandbox()
app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, log, (url) => shell.openExternal(url)))

async function main(): Promise<void> {
  await app.whenReady()
  hardenSession(session.defaultSession)

  // The assistant's key and model: kept here, passed to the runtime, never to a window.
  const assistant = new AssistantSettings({ dir: app.getPath('userData'), safeStorage, env: process.env, log })
  const host = new RuntimeHost({
    runtimePath: join(here, 'runtime.js'),
    log,
    configuration: () => assistant.configuration(),
    confirmRestart: async (status) => {
      const { response } = await dialog.showMessageBox({
        type: 'error',
        message: 'The Cortex runtime keeps crashing',
        detail: status.message ?? '',
        buttons: ['Restart the runtime', 'Leave it stopped'],
        defaultId: 0,
        cancelId: 1
      })
      return response === 0
    }
  })
  host.start()
  assistant.onDidChange(() => host.configure())

  listenIpc(policy, IpcChannel.requestRuntimePort, z.tuple([]), (_args, event) => host.sendPort(event.sender))
  handleIpc(policy, IpcChannel.restartRuntime, z.tuple([]), () => host.restart())
  handleIpc(policy, IpcChannel.interruptRuntime, z.tuple([]), () => host.interrupt())
  handleIpc(policy, IpcChannel.openPath, z.tuple([OpenPathRequest]), ([request]) => openUserFile(request, (path) => shell.openPath(path)))

  // The File menu: dialogs and recent documents here, the work in the window.
  const files: FileDialogs = { dialog, defaultDir: () => app.getPath('downloads'), addRecentDocument: (path) => app.addRecentDocument(path) }
  handleIpc(policy, IpcChannel.chooseGraphFiles, z.tuple([]), (_args, event) => chooseGraphFiles(files, BrowserWindow.fromWebContents(event.sender)))
  handleIpc(policy, IpcChannel.saveTextFile, z.tuple([z.string().min(1).max(255), z.string()]), ([name, text], event) =>
    saveTextFile(files, BrowserWindow.fromWebContents(event.sender), name, text)
  )
  listenIpc(policy, IpcChannel.addRecentDocument, z.tuple([z.string().min(1).max(4096)]), ([path]) => addRecentDocument(files, path))
  handleIpc(policy, IpcChannel.assistantSettings, z.tuple([]), () => assistant.view())
  // Checked by setApiKey, whose error never repeats the key (the argument check would log it).
  handleIpc(policy, IpcChannel.setApiKey, z.tuple([z.string().max(2000).nullable()]), ([key]) => assistant.setApiKey(key))
  handleIpc(policy, IpcChannel.setModel, z.tuple([ModelName]), ([model]) => assistant.setModel(model))
  const sendCommand = (command: MenuCommand): void => BrowserWindow.getFocusedWindow()?.webContents.send(IpcChannel.menuCommand, command)
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(sendCommand)))

  const openWindow = (): void => {
    const window = createMainWindow({ preloadPath: join(here, '../preload/index.cjs'), iconPath: join(here, '../../resources/icon.png'), appUrl })
    host.attachWindow(window.webContents)
    // The window draws its own menu bar (the same in the browser mode); the native one would repeat it. Accelerators still work.
    if (process.platform !== 'darwin') window.setMenuBarVisibility(false)
  }
  openWindow()

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow()
  })
  app.on('window-all-closed', () => app.quit())
  app.on('will-quit', () => host.dispose())
}

main().catch((error: unknown) => {
  log.error('failed to start', serializeError(error))
  app.exit(1)
})
