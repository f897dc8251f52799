import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openUserFile } from './open-path'

describe('openUserFile (Electron: a path clicked in the output, opened with shell.openPath)', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cortex-open-'))
    await mkdir(join(dir, 'src'))
    await writeFile(join(dir, 'src', 'index.ts'), 'export {}\n')
    await writeFile(join(dir, 'run.sh'), '#!/bin/sh\n')
    await chmod(join(dir, 'run.sh'), 0o755)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('opens an existing regular file, a relative path resolved against the runtime directory', async () => {
    const openPath = vi.fn(async () => '')
    await openUserFile({ path: 'src/index.ts', cwd: dir }, openPath)
    await openUserFile({ path: join(dir, 'src', 'index.ts') }, openPath)
    expect(openPath.mock.calls).toEqual([[join(dir, 'src', 'index.ts')], [join(dir, 'src', 'index.ts')]])
  })

  it('refuses a missing file, a directory and an executable, without calling the system', async () => {
    const openPath = vi.fn(async () => '')
    await expect(openUserFile({ path: 'nope.ts', cwd: dir }, openPath)).rejects.toThrow(/no such file/)
    await expect(openUserFile({ path: 'src', cwd: dir }, openPath)).rejects.toThrow(/not a regular file/)
    await expect(openUserFile({ path: 'run.sh', cwd: dir }, openPath)).rejects.toThrow(/executable/)
    expect(openPath).not.toHaveBeenCalled()
  })

  it("reports the system handler's failure", async () => {
    await expect(openUserFile({ path: 'src/index.ts', cwd: dir }, async () => 'no application')).rejects.toThrow(/no application/)
  })
})
