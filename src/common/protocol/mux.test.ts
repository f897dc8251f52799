import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { MemoryLogger } from '../logger'
import { defineContract } from './contract'
import { createPortPair } from './memory-port'
import { PortMux } from './mux'
import type { Port } from './port'
import { RpcClient, RpcServer } from './rpc'

const contract = defineContract({
  methods: { whoami: { params: z.object({}), result: z.number() } },
  events: {}
})

const tick = () => new Promise((r) => setTimeout(r, 10))

function setup() {
  const [hostSide, runtimeSide] = createPortPair()
  const log = new MemoryLogger()
  const host = new PortMux(hostSide, log)
  const runtime = new PortMux(runtimeSide, log)
  const accepted: Port[] = []
  let served = 0
  runtime.onDidOpenChannel((port) => {
    accepted.push(port)
    const id = ++served
    new RpcServer(port, contract, { whoami: () => id }, log)
  })
  return { host, runtime, accepted, log, hostSide, runtimeSide }
}

describe('PortMux', () => {
  it('gives each opened channel its own independent connection', async () => {
    const { host } = setup()
    const a = new RpcClient(host.open(), contract, new MemoryLogger())
    const b = new RpcClient(host.open(), contract, new MemoryLogger())
    expect(await Promise.all([a.call('whoami', {}), b.call('whoami', {}), a.call('whoami', {})])).toEqual([1, 2, 1])
  })

  it('closing a channel closes its peer, and only that one', async () => {
    const { host, runtime, accepted } = setup()
    const a = host.open()
    const b = host.open()
    await tick()
    let closed = 0
    accepted[0]!.onClose(() => closed++)
    a.close()
    await tick()
    expect(closed).toBe(1)
    expect(accepted[1]!.isClosed).toBe(false)
    expect(b.isClosed).toBe(false)
    expect(runtime.channelCount).toBe(1)
  })

  it('delivers a control message to the peer process only, never to a channel', async () => {
    const { host, runtime } = setup()
    const channelMessages: unknown[] = []
    runtime.onDidOpenChannel((port) => port.onMessage((message) => channelMessages.push(message)))
    const controls: unknown[] = []
    runtime.onDidReceiveControl((data) => controls.push(data))
    const client = new RpcClient(host.open(), contract, new MemoryLogger())
    await client.call('whoami', {})
    host.sendControl({ kind: 'configure', model: 'm' })
    await tick()
    expect(controls).toEqual([{ kind: 'configure', model: 'm' }])
    expect(JSON.stringify(channelMessages)).not.toContain('configure')
  })

  it('closes every channel when the underlying port closes', async () => {
    const { host, accepted, hostSide } = setup()
    const a = host.open()
    await tick()
    hostSide.close()
    await tick()
    expect(a.isClosed).toBe(true)
    expect(accepted[0]!.isClosed).toBe(true)
  })

  it('answers malformed frames with an error envelope and keeps working', async () => {
    const { host, runtimeSide, hostSide, log } = setup()
    const replies: unknown[] = []
    hostSide.onMessage((m) => replies.push(m))
    const garbage = [7, 'x', null, { mux: 0, op: 'open' }, { mux: 1, op: 'teleport' }, { mux: 99, op: 'data', data: {} }]
    // Garbage straight onto the runtime's side of the wire.
    for (const frame of garbage) (hostSide as Port).send(frame)
    await tick()
    expect(replies).toHaveLength(garbage.length)
    for (const reply of replies) expect(reply).toMatchObject({ kind: 'error', error: { name: 'ProtocolError', code: 'invalid-message' } })
    expect(log.records.filter((r) => r.message.startsWith('mux: rejected message'))).toHaveLength(garbage.length)
    const client = new RpcClient(host.open(), contract, new MemoryLogger())
    await expect(client.call('whoami', {})).resolves.toBe(1)
    expect(runtimeSide.isClosed).toBe(false)
  })
})
