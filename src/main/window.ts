import { BrowserWindow } from 'electron'
import { secureWebPreferences } from './security'

export interface MainWindowOptions {
  preloadPath: string
  iconPath: string
  /** The dev server URL, or the built index.html as a file: URL. */
  appUrl: string
}

export function createMainWindow({ preloadPath, iconPath, appUrl }: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 640,
    minHeight: 400,
    title: 'Cortex',
    icon: iconPath,
    backgroundColor: '#1e1e1e',
    show: false,
    webPreferences: secureWebPreferences(preloadPath)
  })
  window.once('ready-to-show', () => window.show())
  void window.loadURL(appUrl)
  return window
}
