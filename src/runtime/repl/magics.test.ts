import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { resultText } from '../../../test/support/ansi'
import { MemoryLogger } from '../../common/logger'
import { createPortPair } from '../../common/protocol/memory-port'
import { RpcClient } from '../../common/protocol/rpc'
import { runtimeContract } from '../../common/runtime-contract'
import { Runtime } from '../runtime'

let runtimes: Runtime[] = []
afterEach(() => {
  runtimes.forEach((r) => r.dispose())
  runtimes = []
})

function start() {
  const runtime = new Runtime({ host: 'in-process', log: new MemoryLogger() })
  runtimes.push(runtime)
  const run = async (code: string, mode: 'js' | 'bash' = 'js') => resultText(await runtime.evaluate(mode, code))
  return { runtime, run }
}

describe('magics', () => {
  it('%help lists them; an unknown one says how to find them', async () => {
    const { run } = start()
    expect(await run('%help')).toContain('%load FILE')
    expect(await run('%frobnicate')).toBe('error: no magic %frobnicate; %help lists them')
  })

  it('%time evaluates and says how long it took', async () => {
    const { run } = start()
    expect(await run('%time await new Promise((r) => setTimeout(() => r(6 * 7), 20))')).toMatch(/^42\n\(\d+\.\d\d ms\)$/)
  })

  it('%clear drops the history references and reports the heap', async () => {
    const { run, runtime } = start()
    await run('new Uint8Array(8 * 1024 * 1024)')
    expect(runtime.evaluator.context['_1']).toBeDefined()
    expect(await run('%clear')).toMatch(/^dropped 2 history references; heap (freed|grew) \d+\.\d MB$/)
    expect(runtime.evaluator.context['_1']).toBeUndefined()
    expect(runtime.evaluator.context['_']).toBeUndefined()
  })

  it('%history and %save work from the session’s inputs', async () => {
    const { run } = start()
    await run('const x = 20')
    await run('x * 2 + 2')
    await run('nope(')
    await run('echo hi', 'bash')
    expect(await run('%history x')).toBe('   1  const x = 20\n   2  x * 2 + 2')
    const file = join(mkdtempSync(join(tmpdir(), 'cortex-save-')), 'session.js')
    expect(await run(`%save ${file}`)).toBe(`saved 2 inputs to ${file}`)
    expect(readFileSync(file, 'utf8')).toBe('const x = 20\nx * 2 + 2\n')
  })

  it('%load imports a graph file: its exports become bindings and its graphs are listed', async () => {
    const { run } = start()
    const dir = mkdtempSync(join(tmpdir(), 'cortex-load-'))
    const file = join(dir, 'greeter.mjs')
    writeFileSync(
      file,
      `const { node, graph, z } = globalThis[Symbol.for('cortex.api')]
export const Hello = node('Hello', { who: z.string() })
export const hello = graph(Hello)
export const answer = 42\n`
    )
    expect(await run(`%load ${file}`)).toBe(`loaded ${file}: 3 bindings (Hello, hello, answer)\ngraphs: hello\nnodes: Hello`)
    expect(await run("(await hello({ who: 'you' })).result.who")).toBe("'you'")
    writeFileSync(join(dir, 'plain.mjs'), 'export const one = 1\n')
    expect(await run(`%load ${join(dir, 'plain.mjs')}`)).toContain('no graph in plain.mjs')
    expect(await run(`%load ${join(dir, 'missing.mjs')}`)).toMatch(/^error: cannot read .*missing\.mjs: no such file$/)
    writeFileSync(join(dir, 'broken.mjs'), 'export const = 1\n')
    // A JavaScript syntax error says where, as TypeScript ones do (Node's own message does not).
    expect(await run(`%load ${join(dir, 'broken.mjs')}`)).toBe(`error: ${join(dir, 'broken.mjs')}:1:14: Unexpected token\nexport const = 1\n             ^`)
  })
})

describe('display magics', () => {
  it('%view and %channel change how every window shows output, and tell every client', async () => {
    const runtime = new Runtime({ host: 'in-process', log: new MemoryLogger() })
    runtimes.push(runtime)
    const [clientPort, serverPort] = createPortPair()
    runtime.connect(serverPort)
    const client = new RpcClient(clientPort, runtimeContract, new MemoryLogger())
    const seen: unknown[] = []
    client.subscribe('repl.display', (display) => seen.push(display))
    await new Promise((r) => setTimeout(r, 5))
    expect(seen).toEqual([{ view: 'user', hidden: [] }]) // on connecting
    expect(resultText(await client.call('repl.evaluate', { code: '%view debug' }))).toBe('debug view')
    expect(resultText(await client.call('repl.evaluate', { code: '%channel graph off' }))).toBe('graph hidden (still recorded)')
    expect(resultText(await client.call('repl.evaluate', { code: '%channel nope off' }))).toMatch(/^error: %channel NAME on\|off/)
    expect(seen.at(-1)).toEqual({ view: 'debug', hidden: ['graph'] })
  })
})
