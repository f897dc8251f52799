/**
 * Graph files on import, fuzzed, in the real runtime process: seeded mutations of an example graph
 * file (cuts, dropped lines, stray tokens) and hand-written hostile files (throwing top-level code,
 * runaway recursion, huge and non-graph exports, Proxies whose traps throw, binary garbage). Each
 * load either binds its exports or fails with a short error that says what went wrong; the
 * runtime answers afterwards as before. Replay a failure with CORTEX_FUZZ_SEED=<the printed seed>.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract, type EvalResult } from '../../src/common/runtime-contract'
import { launchRuntimeChild, stopRuntime, type RuntimeChild } from '../../src/webhost/runtime-process'
import { resultText } from '../support/ansi'
import { assertBuilt, built } from '../support/built'
import { random } from '../support/garbage'

const SEED = Number(process.env.CORTEX_FUZZ_SEED ?? 20_261_206)
const MUTATIONS = 60
/** An error a user can read at a glance: a message, not a page. */
const MAX_ERROR_CHARS = 4000

let child: RuntimeChild
let client: RpcClient<typeof runtimeContract>
let dir: string
beforeAll(() => {
  assertBuilt()
  child = launchRuntimeChild(built.runtime, new MemoryLogger(), () => {})
  const mux = new PortMux(child.port, new MemoryLogger())
  client = new RpcClient(mux.open(), runtimeContract, new MemoryLogger())
  // Inside the project (out/ is ignored by git), so the files' own imports (zod, node:fs) resolve.
  dir = mkdtempSync(resolve('out/fuzz-graphs-'))
})
afterAll(async () => {
  await stopRuntime(child.process)
  rmSync(dir, { recursive: true, force: true })
})

let fileCount = 0
async function load(text: string, extension = 'ts'): Promise<EvalResult> {
  const path = join(dir, `case-${++fileCount}.${extension}`)
  writeFileSync(path, text)
  return (await client.call('repl.loadFile', { path })).result
}

function expectClearOutcome(result: EvalResult, where: string): void {
  if (result.ok) return
  expect(result.error.message, where).toEqual(expect.any(String))
  expect(result.error.message.length, where).toBeGreaterThan(0)
  expect(result.error.message.length, where).toBeLessThan(MAX_ERROR_CHARS)
}

async function expectRuntimeUp(): Promise<void> {
  expect(await client.call('runtime.ping', {})).toMatchObject({ uptimeMs: expect.any(Number) })
  expect(resultText(await client.call('repl.evaluate', { code: '1 + 1' }))).toBe('2')
}

const errorOf = (result: EvalResult): string => (result.ok ? `loaded: ${result.text}` : result.error.message)

describe('graph files on import, fuzzed (real runtime process)', () => {
  it('hostile files fail with a clear error or load; the runtime stays up', { timeout: 120_000 }, async () => {
    const huge = await load("export const huge = 'x'.repeat(100_000_000)\n")
    expect(huge.ok).toBe(true)
    expect(resultText(huge).length).toBeLessThan(10_000) // the summary of what was bound, not the value
    const manyExports = Array.from({ length: 5000 }, (_, i) => `export const e${i} = ${i}`).join('\n')
    const many = await load(manyExports)
    expect(many.ok).toBe(true)
    expect(resultText(many)).toMatch(/: 5000 bindings \(e0, e1, [^)]*, … 4950 more\)\n/) // sorted by name, as modules list them

    expect(errorOf(await load("throw new Error('boom at load')\n"))).toContain('boom at load')
    expect(errorOf(await load('throw 42\n'))).toContain('42')
    expectClearOutcome(await load('throw null\n'), 'throw null')
    expect(errorOf(await load("await Promise.reject(new Error('rejected at load'))\nexport {}\n"))).toContain('rejected at load')
    expect(errorOf(await load('function down(n: number): number { return down(n + 1) + 1 }\ndown(0)\n'))).toMatch(/call stack/)
    expect(errorOf(await load("import { nothing } from './does-not-exist.js'\nexport const x = nothing\n"))).toMatch(/does-not-exist/)
    expect(errorOf(await load("import { node } from 'cortex'\nexport const A = node(42 as never, {} as never)\n"))).not.toBe('')
    // Not graphs at all: bound like any other exports.
    expect((await load('export default 42\nexport const fn = () => 1\nexport class K {}\n')).ok).toBe(true)
    expect((await load('')).ok).toBe(true)
    const trapping = `const boom = () => { throw new Error('trap') }
export const trap = new Proxy({}, { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom })
export const getter = { get bad() { throw new Error('getter') } }
`
    expectClearOutcome(await load(trapping), 'exports whose every trap throws')
    const next = random(SEED)
    const bytes = Array.from({ length: 4096 }, () => String.fromCharCode(Math.floor(next() * 256))).join('')
    expectClearOutcome(await load(bytes), 'binary garbage')
    expectClearOutcome(await load(bytes, 'mjs'), 'binary garbage (.mjs)')
    await expectRuntimeUp()
  })

  it(`${MUTATIONS} seeded mutations of an example graph file: each loads or fails with a clear error`, { timeout: 180_000 }, async () => {
    const original = readFileSync(resolve('examples/release-notes/index.ts'), 'utf8')
    const next = random(SEED)
    const tokens = ['{', '}', '(', ')', '=>', ';', 'await', 'throw ', 'export', '`', '"', '/*', 'as', '<T>', 'return', '\n}\n', 'import(', '@']
    const outcomes = { loaded: 0, failed: 0 }
    for (let i = 0; i < MUTATIONS; i++) {
      const at = Math.floor(next() * original.length)
      let text: string
      switch (i % 3) {
        case 0:
          text = original.slice(0, at)
          break
        case 1: {
          const lines = original.split('\n')
          lines.splice(Math.floor(next() * lines.length), 1 + Math.floor(next() * 3))
          text = lines.join('\n')
          break
        }
        default:
          text = original.slice(0, at) + tokens[Math.floor(next() * tokens.length)]! + original.slice(at)
      }
      const result = await load(text)
      expectClearOutcome(result, `mutation ${i}, seed ${SEED} (replay: CORTEX_FUZZ_SEED=${SEED})`)
      outcomes[result.ok ? 'loaded' : 'failed']++
    }
    expect(outcomes.failed).toBeGreaterThan(MUTATIONS / 3) // most cuts break the file
    await expectRuntimeUp()
  })
})
