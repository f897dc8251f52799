import type { BrowserWindow } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { addRecentDocument, chooseGraphFiles, saveTextFile, type FileDialogs } from './files'
import { appMenuTemplate } from './menu'

// Electron is not loaded: files.ts and menu.ts take its objects as arguments (types only).
vi.mock('electron', () => ({}))

function fakeFiles(answers: { open?: string[]; save?: string }) {
  const written = new Map<string, string>()
  const recent: string[] = []
  const files: FileDialogs & { dialog: { showOpenDialog: ReturnType<typeof vi.fn>; showSaveDialog: ReturnType<typeof vi.fn> } } = {
    dialog: {
      showOpenDialog: vi.fn(async () => ({ canceled: !answers.open, filePaths: answers.open ?? [] })),
      showSaveDialog: vi.fn(async () => ({ canceled: !answers.save, filePath: answers.save ?? '' }))
    },
    defaultDir: () => '/home/u/Downloads',
    addRecentDocument: (path) => recent.push(path),
    write: async (path, text) => void written.set(path, text)
  }
  return { files, written, recent }
}

const window = {} as BrowserWindow

describe('File menu dialogs (Electron main, electron mocked)', () => {
  it('Open graph… offers graph files only, several at once, and returns the chosen paths', async () => {
    const { files } = fakeFiles({ open: ['/p/a.ts', '/p/b.js'] })
    expect(await chooseGraphFiles(files, window)).toEqual(['/p/a.ts', '/p/b.js'])
    const options = files.dialog.showOpenDialog.mock.calls[0]![1]
    expect(options.properties).toEqual(['openFile', 'multiSelections'])
    expect(options.filters).toEqual([{ name: 'Graph files', extensions: ['ts', 'mts', 'js', 'mjs'] }])
  })

  it('a cancelled open dialog loads nothing', async () => {
    expect(await chooseGraphFiles(fakeFiles({}).files, window)).toEqual([])
  })

  it('Export trace… writes the text where the user chose; the renderer names the file, never the folder', async () => {
    const { files, written } = fakeFiles({ save: '/home/u/traces/run.jsonl' })
    expect(await saveTextFile(files, window, '../../etc/cortex-trace.jsonl', '{"resourceSpans":[]}\n')).toBe('/home/u/traces/run.jsonl')
    expect(files.dialog.showSaveDialog.mock.calls[0]![1].defaultPath).toBe('/home/u/Downloads/cortex-trace.jsonl')
    expect(written.get('/home/u/traces/run.jsonl')).toBe('{"resourceSpans":[]}\n')
  })

  it('a cancelled save dialog writes nothing', async () => {
    const { files, written } = fakeFiles({})
    expect(await saveTextFile(files, null, 'cortex-trace.jsonl', 'x')).toBeUndefined()
    expect(written.size).toBe(0)
  })

  it('recent documents take absolute paths only', () => {
    const { files, recent } = fakeFiles({})
    addRecentDocument(files, '/p/a.ts')
    addRecentDocument(files, 'relative.ts')
    expect(recent).toEqual(['/p/a.ts'])
  })
})

describe('the application menu', () => {
  type Item = { label?: string; role?: string; accelerator?: string; click?: () => void; submenu?: Item[] }
  const find = (items: Item[], label: string): Item | undefined =>
    items.flatMap((item) => [item, ...(item.submenu ?? [])]).find((item) => item.label?.replace('&', '') === label)

  it('sends each File command to the window', () => {
    const sent: string[] = []
    const template = appMenuTemplate((command) => sent.push(command), 'linux') as Item[]
    for (const label of ['Open Graph…', 'Import Trace…', 'Export Trace…', 'Restart Runtime', 'Settings…', 'Keyboard Shortcuts']) find(template, label)!.click!()
    expect(sent).toEqual(['open-graph', 'import-trace', 'export-trace', 'restart-runtime', 'settings', 'shortcuts'])
    expect(find(template, 'Open Graph…')!.accelerator).toBe('CmdOrCtrl+O')
  })

  it('has the OS recent documents and the app menu on macOS only', () => {
    const roles = (platform: NodeJS.Platform) => JSON.stringify(appMenuTemplate(() => undefined, platform))
    expect(roles('darwin')).toContain('recentDocuments')
    expect(roles('darwin')).toContain('appMenu')
    expect(roles('linux')).not.toContain('recentDocuments')
    expect(roles('win32')).toContain('"quit"')
  })
})
