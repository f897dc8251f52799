import type { OutputWrite } from '../../src/common/repl-contract'
import type { RpcClient } from '../../src/common/protocol/rpc'
import type { runtimeContract } from '../../src/common/runtime-contract'
import { stripAnsi } from './ansi'

/** Collects a client's output writes, acknowledging every batch as a window would. */
export function collectOutput(client: RpcClient<typeof runtimeContract>): { writes: OutputWrite[]; text: () => string; dropped: () => number } {
  const writes: OutputWrite[] = []
  let dropped = 0
  client.subscribe('repl.output', (batch) => {
    writes.push(...batch.writes)
    dropped += batch.dropped ?? 0
    void client.call('repl.ack', { seq: batch.seq }).catch(() => undefined)
  })
  return { writes, text: () => stripAnsi(writes.map((w) => w.text).join('')), dropped: () => dropped }
}
