/**
 * The application menu: the window's File menu (Open graph…, Import trace…, Export trace…,
 * Restart runtime) and Help → Keyboard shortcuts, each sent to the focused window as a command;
 * the window does the work, exactly as from its own menu bar.
 */
import type { MenuItemConstructorOptions } from 'electron'
import type { MenuCommand } from '../common/bridge'

export function appMenuTemplate(send: (command: MenuCommand) => void, platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => send(command)
  })
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      item('Open Graph…', 'open-graph', 'CmdOrCtrl+O'),
      // The OS's list (macOS only); the window's own File menu lists recent files everywhere.
      ...(platform === 'darwin' ? [{ role: 'recentDocuments', submenu: [{ role: 'clearRecentDocuments' }] } as MenuItemConstructorOptions] : []),
      { type: 'separator' },
      item('Import Trace…', 'import-trace'),
      item('Export Trace…', 'export-trace', 'CmdOrCtrl+Shift+E'),
      { type: 'separator' },
      item('Restart Runtime', 'restart-runtime'),
      item('Settings…', 'settings', 'CmdOrCtrl+,'),
      { type: 'separator' },
      platform === 'darwin' ? { role: 'close' } : { role: 'quit' }
    ]
  }
  const help: MenuItemConstructorOptions = { role: 'help', submenu: [item('Keyboard Shortcuts', 'shortcuts', 'F1')] }
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    file,
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    help
  ]
}
