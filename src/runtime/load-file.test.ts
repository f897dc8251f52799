import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { resultText } from '../../test/support/ansi'
import { DisposableStore } from '../common/lifecycle'
import { MemoryLogger } from '../common/logger'
import { createPortPair } from '../common/protocol/memory-port'
import { RpcClient } from '../common/protocol/rpc'
import { runtimeContract, type EvalResult } from '../common/runtime-contract'
import { isSafeFileName, Runtime } from './runtime'
import { welcomeLine } from './welcome'
import { until } from '../../test/support/until'

let store = new DisposableStore()
afterEach(() => {
  store.dispose()
  store = new DisposableStore()
})

/** A runtime with its project in a fresh folder, and two windows on it. */
function start() {
  const projectDir = mkdtempSync(join(tmpdir(), 'cortex-load-'))
  const runtime = store.add(new Runtime({ host: 'in-process', log: new MemoryLogger(), projectDir }))
  const window = () => {
    const [client, server] = createPortPair()
    runtime.connect(server)
    const rpc = store.add(new RpcClient(client, runtimeContract, new MemoryLogger()))
    const results: EvalResult[] = []
    rpc.subscribe('repl.result', (result) => results.push(result))
    return { rpc, results }
  }
  return { runtime, projectDir, window }
}

describe('repl.loadFile (files dropped on the window, the File menu)', () => {
  it('writes a dropped file under .cortex/dropped, binds its exports, and every window sees what was bound', async () => {
    const { runtime, projectDir, window } = start()
    const first = window()
    const second = window()
    const answer = await first.rpc.call('repl.loadFile', { name: 'double.mjs', text: 'export const double = (n) => n * 2\n' })
    const path = join(projectDir, '.cortex', 'dropped', 'double.mjs')
    expect(answer.path).toBe(path)
    expect(readFileSync(path, 'utf8')).toContain('n * 2')
    expect(resultText(answer.result)).toBe(`loaded ${path}: 1 binding (double)\nno graph in double.mjs (export one made with graph(Start))`)
    expect(resultText(await runtime.evaluate('js', 'double(21)'))).toBe('42')
    // The loading window prints it like the others: there is no input of its own to answer.
    await until(() => first.results.length === 1 && second.results.length === 1)
    expect(second.results[0]).toEqual(answer.result)
  })

  it('loads a changed file again when it is dropped again under the same name', async () => {
    const { runtime, window } = start()
    const { rpc } = window()
    await rpc.call('repl.loadFile', { name: 'answer.mjs', text: 'export const answer = 1\n' })
    await rpc.call('repl.loadFile', { name: 'answer.mjs', text: 'export const answer = 2\n' })
    expect(resultText(await runtime.evaluate('js', 'answer'))).toBe('2')
  })

  it('refuses names that would leave the dropped folder, and files that are not graph code', async () => {
    const { projectDir, window } = start()
    const { rpc } = window()
    for (const name of ['../evil.mjs', 'a/b.mjs', 'a\\b.mjs', '..mjs']) {
      const { result } = await rpc.call('repl.loadFile', { name, text: 'export const x = 1' })
      expect(resultText(result)).toMatch(/may not contain path separators or '\.\.'/)
    }
    expect(existsSync(join(projectDir, 'evil.mjs'))).toBe(false)
    expect(resultText((await rpc.call('repl.loadFile', { name: 'notes.txt', text: 'hi' })).result)).toBe(
      'error: cannot load notes.txt: a graph file is .ts, .mts, .js or .mjs'
    )
  })

  it('says which file is missing or unreadable, and refuses one that is too large', async () => {
    const { projectDir, window } = start()
    const { rpc } = window()
    const missing = join(projectDir, 'missing.ts')
    const answer = await rpc.call('repl.loadFile', { path: missing })
    expect(resultText(answer.result)).toBe(`error: cannot read ${missing}: no such file`)
    expect(answer.path).toBeUndefined()
    expect(resultText((await rpc.call('repl.loadFile', { path: projectDir })).result)).toBe(`error: cannot read ${projectDir}: not a file`)
    const big = join(projectDir, 'big.mjs')
    writeFileSync(big, `// ${'x'.repeat(6 * 1024 * 1024)}\n`)
    expect(resultText((await rpc.call('repl.loadFile', { path: big })).result)).toMatch(/^error: cannot load .*big\.mjs: too large \(6\.0 MB/)
  })

  it('a syntax error names the file, line and column', async () => {
    const { window } = start()
    const { rpc } = window()
    const { result } = await rpc.call('repl.loadFile', { name: 'broken.mjs', text: 'export const a = 1\nexport const b = (\n' })
    expect(resultText(result)).toMatch(/^error: .*broken\.mjs:3:1: Unexpected token/)
  })

  it('isSafeFileName keeps a name inside its folder', () => {
    expect(isSafeFileName('graph.ts')).toBe(true)
    for (const name of ['', '.', '..', '../x.ts', 'x/y.ts', 'x\\y.ts', 'a..ts', ' x.ts', 'x\0.ts']) expect(isSafeFileName(name)).toBe(false)
  })
})

describe('runtime.stats (the status bar)', () => {
  it('reports memory, the running tasks and the gate waiting, and forgets the gate once answered', async () => {
    const { runtime, window } = start()
    const { rpc } = window()
    await runtime.evaluate(
      'js',
      `const Done = node('Done', { verdict: z.string() })
const Review = node('Review', { draft: z.string(), approve: gate(z.boolean(), 'ship it?') }).to(() => [Done])
Review.run((self) => Done.make({ verdict: self.approve ? 'shipped' : 'held' }))
const review = graph(Review)`
    )
    await runtime.evaluate('js', "var pending = review({ draft: 'v1' })")
    await until(async () => (await rpc.call('runtime.stats', {})).gates.length === 1)
    const stats = await rpc.call('runtime.stats', {})
    expect(stats.gates).toEqual([{ id: 'g1.0', node: 'Review', field: 'approve' }])
    expect(stats.tasks).toContainEqual(expect.objectContaining({ id: 'g1', state: 'waiting' }))
    expect(stats.rssBytes).toBeGreaterThan(stats.heapUsedBytes)
    expect(resultText(await runtime.evaluate('js', '@g1.0 true'))).toBe('g1.0 answered')
    await until(async () => (await rpc.call('runtime.stats', {})).gates.length === 0)
    expect(resultText(await runtime.evaluate('js', '(await pending).result.verdict'))).toBe("'shipped'")
  })
})

describe('the first-run welcome line', () => {
  const example = { path: '/app/examples/ootd/index.ts', names: ['ootd', 'recordedLm', 'No'], graphs: ['ootd'] }

  it('without a key, says to run the example with the recorded answers, and why', () => {
    expect(welcomeLine([example], {})).toBe(
      "OOTD example loaded: run it with  await ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })  (replay of recorded answers: no ANTHROPIC_API_KEY is set)"
    )
  })

  it('with a key, says the run uses the live model', () => {
    expect(welcomeLine([example], { ANTHROPIC_API_KEY: 'sk-test' })).toMatch(
      /await ootd\(\{ name: 'Dzara', user_message: 'ugh i just got up' \}\) {2}\(the live model/
    )
  })

  it('says nothing for other graph files', () => {
    expect(welcomeLine([{ path: '/x/g.ts', names: ['g'], graphs: ['g'] }], {})).toBeUndefined()
  })
})
