// The runtime without the terminal client: an RpcClient in this process, the runtime as a child
// (launchRuntimeChild, one mux channel), as the terminal client has it. Splits the round trip into
// the transport's floor (runtime.ping) and what an evaluation adds (repl.evaluate).
// argv: runtime.js, inputs, warm-up inputs. Prints one JSON line: { pingMs: [...], evaluateMs: [...] }.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract } from '../../src/common/runtime-contract'
import { launchRuntimeChild } from '../../src/webhost/runtime-process'

const [runtimePath, count = '1000', warmup = '200'] = process.argv.slice(2)
// An empty project folder (the runtime's cwd), as the REPL rows have: its session store starts empty.
const project = mkdtempSync(join(tmpdir(), 'cortex-bench-direct-'))
process.chdir(project)
const log = new MemoryLogger()
const child = launchRuntimeChild(runtimePath!, log, () => {})
const mux = new PortMux(child.port, log)
const client = new RpcClient(mux.open(), runtimeContract, log)
client.subscribe('repl.output', (batch) => void client.call('repl.ack', { seq: batch.seq }).catch(() => undefined))

async function measure(call: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < Number(warmup) + Number(count); i++) {
    const started = performance.now()
    await call(i)
    if (i >= Number(warmup)) times.push(performance.now() - started)
  }
  return times
}

const pingMs = await measure(() => client.call('runtime.ping', {}))
const evaluateMs = await measure(async (i) => {
  const result = await client.call('repl.evaluate', { code: `1 + ${i}`, mode: 'js' })
  if (!result.ok) throw new Error(`1 + ${i} failed: ${result.error.message}`)
})
// Wait for the runtime to be gone: it logs to our stderr while it shuts down.
const exited = new Promise<void>((resolve) => child.onExit(() => resolve()))
client.dispose()
child.kill()
await exited
rmSync(project, { recursive: true, force: true })
console.log(JSON.stringify({ pingMs, evaluateMs }))
