import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()

/** Lints `code` as if it were the file at `path` with the project's real config. */
async function problems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path })
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`)
}

describe('layer boundaries (eslint)', () => {
  it('keeps src/common free of Node, Electron and other layers', async () => {
    expect(await problems('src/common/x.ts', "import fs from 'node:fs'\nexport const a = fs")).toEqual([
      expect.stringContaining("src/common may not import 'node:fs'")
    ])
    expect(await problems('src/common/x.ts', "import { app } from 'electron'\nexport const a = app")).toEqual([
      expect.stringContaining("may not import 'electron'")
    ])
    expect(await problems('src/common/protocol/x.ts', "import { Runtime } from '../../runtime/runtime'\nexport const a = Runtime")).toEqual([
      expect.stringContaining('src/common may not import src/runtime')
    ])
    expect(await problems('src/common/protocol/x.ts', "import { z } from 'zod'\nimport { Emitter } from '../event'\nexport const a = [z, Emitter]")).toEqual([])
  })

  it('keeps the renderer away from electron, node:* and the runtime', async () => {
    expect(await problems('src/renderer/src/x.ts', "import { ipcRenderer } from 'electron'\nexport const a = ipcRenderer")).toEqual([
      expect.stringContaining("src/renderer may not import 'electron'")
    ])
    expect(await problems('src/renderer/src/x.ts', "import path from 'path'\nexport const a = path")).toEqual([
      expect.stringContaining("src/renderer may not import 'path'")
    ])
    expect(await problems('src/renderer/src/api/x.ts', "import { Runtime } from '../../../runtime/runtime'\nexport const a = Runtime")).toEqual([
      expect.stringContaining('src/renderer may not import src/runtime')
    ])
  })

  it('lets the terminal client use common and webhost (to launch the runtime), never Electron, React, the DOM layers or the runtime', async () => {
    expect(
      await problems(
        'src/terminal/x.ts',
        "import fs from 'node:fs'\nimport { launchRuntimeChild } from '../webhost/runtime-process'\nimport { Emitter } from '../common/event'\nexport const a = [fs, launchRuntimeChild, Emitter]"
      )
    ).toEqual([])
    expect(await problems('src/terminal/x.ts', "import { app } from 'electron'\nexport const a = app")).toEqual([
      expect.stringContaining("src/terminal may not import 'electron'")
    ])
    expect(await problems('src/terminal/x.ts', "import { Terminal } from '@xterm/xterm'\nexport const a = Terminal")).toEqual([
      expect.stringContaining("src/terminal may not import '@xterm/xterm'")
    ])
    expect(await problems('src/terminal/x.ts', "import { Runtime } from '../runtime/runtime'\nexport const a = Runtime")).toEqual([
      expect.stringContaining('src/terminal may not import src/runtime')
    ])
    expect(await problems('src/terminal/x.ts', "import { ReplTerminal } from '../renderer/src/repl/repl-terminal'\nexport const a = ReplTerminal")).toEqual([
      expect.stringContaining('src/terminal may not import src/renderer')
    ])
  })

  it('lets only src/runtime/main.ts touch Electron', async () => {
    expect(await problems('src/runtime/repl/x.ts', 'export const p = process.parentPort')).toEqual([expect.stringContaining('no-restricted-properties')])
    expect(await problems('src/runtime/main.ts', 'export const p = process.parentPort')).toEqual([])
    expect(await problems('src/runtime/x.ts', "import { app } from 'electron'\nexport const a = app")).toEqual([
      expect.stringContaining("src/runtime may not import 'electron'")
    ])
  })

  it('lets only src/main/ipc.ts use ipcMain', async () => {
    expect(await problems('src/main/window.ts', "import { ipcMain } from 'electron'\nexport const a = ipcMain")).toEqual([
      expect.stringContaining('no-restricted-imports')
    ])
    expect(await problems('src/main/ipc.ts', "import { ipcMain } from 'electron'\nexport const a = ipcMain")).toEqual([])
  })
})
