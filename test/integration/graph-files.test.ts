import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract } from '../../src/common/runtime-contract'
import { launchRuntimeChild, stopRuntime, type RuntimeChild } from '../../src/webhost/runtime-process'
import { resultText } from '../support/ansi'
import { assertBuilt, built } from '../support/built'
import { collectOutput } from '../support/output'

beforeAll(() => assertBuilt())
let children: RuntimeChild[] = []
afterEach(async () => {
  await Promise.all(children.map((c) => stopRuntime(c.process)))
  children = []
})

function launch() {
  const child = launchRuntimeChild(built.runtime, new MemoryLogger(), () => {})
  children.push(child)
  const mux = new PortMux(child.port, new MemoryLogger())
  const client = new RpcClient(mux.open(), runtimeContract, new MemoryLogger())
  const output = collectOutput(client)
  const run = async (code: string) => resultText(await client.call('repl.evaluate', { code }))
  return { client, output, run }
}

describe('graph files in the real runtime (TypeScript, imports of cortex)', () => {
  it('%load runs the OOTD example from its recording, its gate answered with @g1.0', async () => {
    const { run, output } = launch()
    const loaded = await run(`%load ${resolve('examples/ootd/index.ts')}`)
    expect(loaded).toMatch(/^loaded .*examples\/ootd\/index\.ts: \d+ bindings/)
    expect(loaded).toContain('graphs: ootd')
    await run(`const lm = createLm(ReplayBackend.fromFile(${JSON.stringify(resolve('examples/ootd/recording.jsonl'))}))`)
    await run("var outfit = ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm })")
    // In the REPL, the start node's gate is asked, even though a value was given.
    for (let i = 0; i < 100 && !output.text().includes('@g1.0'); i++) await new Promise((r) => setTimeout(r, 20))
    expect(output.text()).toContain("gate g1.0: IsTheUserGettingDressed.user_message — what's the occasion?")
    expect(await run('@g1.0 ugh i just got up')).toBe('g1.0 answered')
    expect(await run('(await outfit).trace.map((n) => n.constructor.name).join(" → ")')).toBe("'IsTheUserGettingDressed → AnticipateUsersDay → RecommendOOTD'")
    expect(await run('(await outfit).find(RecommendOOTD).top.length > 0')).toBe('true')
    expect(await run('engine.run("g1").state')).toBe("'done'")
  })

  it('a syntax error in a TypeScript file says where', async () => {
    const { run } = launch()
    const dir = mkdtempSync(join(tmpdir(), 'cortex-ts-'))
    writeFileSync(join(dir, 'broken.ts'), "import { node } from 'cortex'\nexport const A = node('A', {\n  x: ,\n})\n")
    expect(await run(`%load ${join(dir, 'broken.ts')}`)).toMatch(/broken\.ts:3:\d+: Unexpected token\n {2}x: ,\n {5}\^/)
  })
})
