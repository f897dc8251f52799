/**
 * The File menu's Electron side: the open and save dialogs, writing an exported trace where the
 * user chose, and the OS's recent documents. The renderer asks through validated IPC (index.ts);
 * main writes only to a path the user picked in its own save dialog.
 */
import { writeFile } from 'node:fs/promises'
import { basename, isAbsolute, join } from 'node:path'
import type { BrowserWindow, Dialog } from 'electron'

export interface FileDialogs {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>
  /** Where a save dialog starts (the Downloads folder). */
  defaultDir: () => string
  addRecentDocument: (path: string) => void
  write?: (path: string, text: string) => Promise<void>
}

export const GRAPH_EXTENSIONS = ['ts', 'mts', 'js', 'mjs']

/** The graph files the user picked ([] when cancelled); they become recent documents. */
export async function chooseGraphFiles(files: FileDialogs, window: BrowserWindow | null): Promise<string[]> {
  const options: Electron.OpenDialogOptions = {
    title: 'Open graph',
    properties: ['openFile', 'multiSelections'],
    filters: [{ name: 'Graph files', extensions: GRAPH_EXTENSIONS }]
  }
  const { canceled, filePaths } = window ? await files.dialog.showOpenDialog(window, options) : await files.dialog.showOpenDialog(options)
  return canceled ? [] : filePaths
}

/** Asks where to save (starting from `suggestedName` in the Downloads folder) and writes `text` there. */
export async function saveTextFile(files: FileDialogs, window: BrowserWindow | null, suggestedName: string, text: string): Promise<string | undefined> {
  // The suggestion is a name only: the renderer does not choose folders.
  const options: Electron.SaveDialogOptions = { title: 'Export trace', defaultPath: join(files.defaultDir(), basename(suggestedName)) }
  const { canceled, filePath } = window ? await files.dialog.showSaveDialog(window, options) : await files.dialog.showSaveDialog(options)
  if (canceled || !filePath) return undefined
  await (files.write ?? ((path, content) => writeFile(path, content)))(filePath, text)
  return filePath
}

/** Recent documents are absolute paths of files the window loaded; anything else is ignored. */
export function addRecentDocument(files: FileDialogs, path: string): void {
  if (isAbsolute(path)) files.addRecentDocument(path)
}
