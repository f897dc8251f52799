import { once } from 'node:events'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract } from '../../src/common/runtime-contract'
import { launchRuntimeChild } from '../../src/webhost/runtime-process'
import { resultText } from '../support/ansi'
import { assertBuilt, built } from '../support/built'

beforeAll(() => assertBuilt())

/** The runtime as the hosts start it, in `projectDir`. */
function launchIn(projectDir: string) {
  const cwd = process.cwd()
  process.chdir(projectDir) // the child inherits it: its project folder
  try {
    const child = launchRuntimeChild(built.runtime, new MemoryLogger(), () => {})
    const mux = new PortMux(child.port, new MemoryLogger())
    const client = new RpcClient(mux.open(), runtimeContract, new MemoryLogger())
    client.subscribe('repl.output', (batch) => void client.call('repl.ack', { seq: batch.seq }).catch(() => undefined))
    return { child, client }
  } finally {
    process.chdir(cwd)
  }
}

describe('the session store in a running runtime', () => {
  it('records inputs and channel writes, survives kill -9, and the next session can search them', async () => {
    const project = mkdtempSync(join(tmpdir(), 'cortex-project-'))
    const first = launchIn(project)
    await first.client.call('repl.evaluate', { code: 'const remembered = "needle-in-the-haystack"' })
    await first.client.call('repl.evaluate', { code: 'console.log("output " + remembered)' })
    await new Promise((r) => setTimeout(r, 200))
    const killed = once(first.child.process, 'exit')
    first.child.process.kill('SIGKILL')
    await killed

    const file = readFileSync(join(project, '.cortex/store/entries.jsonl'), 'utf8')
    expect(file).toContain('needle-in-the-haystack')

    const second = launchIn(project)
    // The store opens in the background; give it a moment on a loaded machine.
    let found = ''
    for (let i = 0; i < 50 && !found.includes('output needle'); i++) {
      found = resultText(await second.client.call('repl.evaluate', { code: 'await store("needle")' }))
      if (!found.includes('output needle')) await new Promise((r) => setTimeout(r, 100))
    }
    expect(found).toMatch(/entries matching "needle"/)
    expect(found).toContain('const remembered = "needle-in-the-haystack"')
    expect(found).toContain('output needle-in-the-haystack')
    second.child.process.kill('SIGTERM')
    await once(second.child.process, 'exit')
  })
})
