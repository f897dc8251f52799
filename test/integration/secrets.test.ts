/**
 * No secret leaves in a trace export, the runtime's log or the session store, end to end: a
 * runtime process started with ANTHROPIC_API_KEY and a service token in its environment, the token
 * bound to MY_TOKEN in the namespace, a graph run whose LM call fails with an error that quotes
 * both (as real SDK errors quote keys), then `%trace export`.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract } from '../../src/common/runtime-contract'
import { launchRuntimeChild, stopRuntime, type RuntimeChild } from '../../src/webhost/runtime-process'
import { resultText } from '../support/ansi'
import { assertBuilt, built } from '../support/built'
import { until } from '../support/until'

const API_KEY = `sk-ant-test-${randomBytes(16).toString('hex')}`
const SERVICE_TOKEN = `svc-${randomBytes(12).toString('hex')}`

let child: RuntimeChild
let project: string
const stderr: string[] = []
beforeAll(() => {
  assertBuilt()
  project = mkdtempSync(join(tmpdir(), 'cortex-secrets-'))
  const saved = { ...process.env }
  const cwd = process.cwd()
  Object.assign(process.env, { ANTHROPIC_API_KEY: API_KEY, SERVICE_TOKEN, CORTEX_LOG_LEVEL: 'debug' })
  process.chdir(project) // the child's project folder: its session store goes there
  try {
    child = launchRuntimeChild(built.runtime, new MemoryLogger(), (line) => stderr.push(line))
  } finally {
    process.chdir(cwd)
    process.env = saved
  }
})
afterAll(() => stopRuntime(child.process))

describe('secrets, end to end (real runtime process)', () => {
  it('an API key and a secret-named binding appear in no trace export, log line or session store entry', { timeout: 60_000 }, async () => {
    const mux = new PortMux(child.port, new MemoryLogger())
    const client = new RpcClient(mux.open(), runtimeContract, new MemoryLogger())
    const output: string[] = []
    client.subscribe('repl.output', (batch) => {
      output.push(...batch.writes.map((w) => w.text))
      void client.call('repl.ack', { seq: batch.seq }).catch(() => undefined)
    })
    const run = async (code: string) => resultText(await client.call('repl.evaluate', { code }))

    // The namespace has no `process`: a user reads the environment through node:process.
    await run("const { env } = await import('node:process')")
    await run('const MY_TOKEN = env.SERVICE_TOKEN')
    expect(await run('MY_TOKEN.length')).toBe(String(SERVICE_TOKEN.length))
    await run(`%load ${resolve('examples/ootd/index.ts')}`)
    await run(`const recorded = ReplayBackend.fromFile(${JSON.stringify(resolve('examples/ootd/recording.jsonl'))})`)
    // The first LM call fails quoting both secrets; later calls answer from the recording.
    await run(
      'let calls = 0; const leaky = { provider: "replay", model: "leaky", generate: async (r) => { if (calls++ === 0) throw new Error(`401 invalid x-api-key ${env.ANTHROPIC_API_KEY} for Bearer ${MY_TOKEN}`); return recorded.generate(r) } }'
    )
    await run('var outfit = ootd({ name: "Dzara", user_message: "ugh i just got up" }, { lm: createLm(leaky) })')
    await until(async () => (await client.call('tasks.list', {})).some((t) => t.state === 'waiting') || output.join('').includes('@g1.0'), 10_000, 'the gate')
    await run('@g1.0 ugh i just got up')
    await run('await outfit.catch((error) => error.message)')
    expect(await run('calls')).not.toBe('0')

    const exported = join(project, 'session.jsonl')
    expect(await run(`%trace export ${exported}`)).toMatch(/^exported \d+ spans/)
    const exportText = readFileSync(exported, 'utf8')
    expect(exportText).toContain('invoke_workflow') // the run is in it
    expect(exportText).toContain('401 invalid x-api-key [REDACTED] for Bearer [REDACTED]') // the failure is there, scrubbed

    await new Promise((r) => setTimeout(r, 300)) // the store's last appends
    const storeDir = join(project, '.cortex/store')
    const storeText = readdirSync(storeDir)
      .map((name) => readFileSync(join(storeDir, name), 'utf8'))
      .join('\n')
    expect(storeText).toContain('MY_TOKEN') // the inputs are there, by name
    for (const secret of [API_KEY, SERVICE_TOKEN]) {
      expect(exportText, 'the trace export').not.toContain(secret)
      expect(stderr.join('\n'), "the runtime's log").not.toContain(secret)
      expect(storeText, 'the session store').not.toContain(secret)
    }
  })
})
