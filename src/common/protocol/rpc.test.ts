import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { garbageMessages } from '../../../test/support/garbage'
import { collectMessages, expectGarbageAnswered } from '../../../test/support/protocol'
import { ProtocolError, RemoteError } from '../errors'
import { MemoryLogger } from '../logger'
import { defineContract, type Handlers } from './contract'
import { createPortPair } from './memory-port'
import type { Port } from './port'
import { RpcClient, RpcServer } from './rpc'

const contract = defineContract({
  methods: {
    'math.add': { params: z.object({ a: z.number(), b: z.number() }), result: z.number() },
    'wait.forever': { params: z.object({}), result: z.string() },
    'fail.now': { params: z.object({}), result: z.void() },
    'lie.about.result': { params: z.object({}), result: z.number() },
    'anything.goes': { params: z.object({}), result: z.unknown() },
    greet: { params: z.object({ name: z.string().default('world') }), result: z.object({ text: z.string(), lang: z.string().default('en') }) }
  },
  events: {
    tick: z.object({ n: z.number() })
  }
})

function setup(overrides: Partial<Handlers<typeof contract>> = {}, options: { trusted?: boolean } = {}) {
  const [clientPort, serverPort] = createPortPair(options)
  const log = new MemoryLogger()
  const aborted: unknown[] = []
  const handlers: Handlers<typeof contract> = {
    'math.add': ({ a, b }) => a + b,
    'wait.forever': (_params, { signal }) =>
      new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => {
          aborted.push(signal.reason)
          reject(signal.reason)
        })
      ),
    'fail.now': () => {
      throw new TypeError('the handler broke')
    },
    // A server bug: the result does not match the contract. The client must not trust it.
    'lie.about.result': () => 'not a number' as unknown as number,
    'anything.goes': () => ({ big: 1n }),
    greet: ({ name }) => ({ text: `hello ${name}` }),
    ...overrides
  }
  const server = new RpcServer(serverPort, contract, handlers, log)
  const client = new RpcClient(clientPort, contract, log)
  return { client, server, log, aborted, clientPort, serverPort }
}

describe('RpcClient / RpcServer over a trusted in-process pair', () => {
  it('still applies the contract where a parse changes a value: parameter and result defaults', async () => {
    const { client } = setup({}, { trusted: true })
    await expect(client.call('greet', {})).resolves.toEqual({ text: 'hello world', lang: 'en' })
    await expect(client.call('math.add', { a: 20, b: 22 })).resolves.toBe(42)
    await expect(client.call('nope' as 'math.add', { a: 1, b: 2 })).rejects.toMatchObject({ code: 'unknown-method' })
  })

  it('takes values a parse would give back unchanged as they are: typed code in this one process built them', async () => {
    // The price of not checking them again: a handler that breaks its own types is believed (over
    // any other port, the parse refuses it: see "rejects a response that breaks the contract" below).
    const { client } = setup({}, { trusted: true })
    await expect(client.call('lie.about.result', {})).resolves.toBe('not a number')
    await expect(client.call('math.add', { a: 'one', b: 2 } as unknown as { a: number; b: number })).resolves.toBe('one2')
  })

  it('calls the server directly, without request messages, and the events a handler emits arrive before its answer', async () => {
    const ticks: number[] = []
    const servers: Array<RpcServer<typeof contract>> = []
    const { client, server, serverPort } = setup(
      {
        'math.add': ({ a, b }) => {
          for (let n = 1; n <= 3; n++) servers[0]!.emit('tick', { n }) // output sent while an input runs
          return a + b
        }
      },
      { trusted: true }
    )
    servers.push(server)
    const kinds: string[] = []
    serverPort.onMessage((message) => kinds.push((message as { kind: string }).kind))
    client.subscribe('tick', ({ n }) => ticks.push(n))
    const sum = await client.call('math.add', { a: 1, b: 2 })
    expect({ sum, ticks }).toEqual({ sum: 3, ticks: [1, 2, 3] })
    expect(kinds).toEqual([])
  })

  it('answers callNow within the call when the handler is synchronous; otherwise, and over any other port, with a promise', async () => {
    const { client } = setup({ 'wait.forever': async () => 'later' }, { trusted: true })
    expect(client.callNow('math.add', { a: 1, b: 2 })).toBe(3)
    expect(client.callNow('greet', {})).toEqual({ text: 'hello world', lang: 'en' }) // the result's default applied
    const later = client.callNow('wait.forever', {})
    expect(later).toBeInstanceOf(Promise)
    await expect(later).resolves.toBe('later')
    const failing = client.callNow('fail.now', {})
    expect(failing).toBeInstanceOf(Promise)
    await expect(failing).rejects.toMatchObject({ name: 'TypeError' })
    const untrusted = setup().client.callNow('math.add', { a: 1, b: 2 })
    expect(untrusted).toBeInstanceOf(Promise)
    await expect(untrusted).resolves.toBe(3)
  })

  it('does not let an answer given within the call overtake the events the handler emitted: it comes after them', async () => {
    const seen: string[] = []
    const servers: Array<RpcServer<typeof contract>> = []
    const { client, server } = setup(
      {
        'math.add': ({ a, b }) => {
          if (a === 1) servers[0]!.emit('tick', { n: 1 }) // an input's output
          return a + b
        }
      },
      { trusted: true }
    )
    servers.push(server)
    client.subscribe('tick', ({ n }) => seen.push(`tick ${n}`))
    const quiet = client.callNow('math.add', { a: 0, b: 2 })
    expect(quiet).toBe(2)
    const noisy = client.callNow('math.add', { a: 1, b: 2 })
    expect(noisy).toBeInstanceOf(Promise)
    await Promise.resolve(noisy).then((sum) => seen.push(`answer ${sum}`))
    expect(seen).toEqual(['tick 1', 'answer 3'])
  })

  it('parses parameters that leave a default out (the default applies), and takes given ones as they are', async () => {
    const { client } = setup({}, { trusted: true })
    await expect(client.call('greet', {})).resolves.toMatchObject({ text: 'hello world' })
    await expect(client.call('greet', { name: 'you' })).resolves.toMatchObject({ text: 'hello you' })
    // As with every value a parse would give back unchanged: not checked again (typed code built it).
    await expect(client.call('greet', { name: 5 } as unknown as { name: string })).resolves.toMatchObject({ text: 'hello 5' })
  })

  it('does not call a server that was disposed: the call fails as on a closed connection', async () => {
    const { client, server } = setup({}, { trusted: true })
    server.dispose()
    await expect(client.call('math.add', { a: 1, b: 2 })).rejects.toMatchObject({ code: 'connection-closed' })
  })

  it('passes on what a handler throws, and rejects a call in flight when the connection closes', async () => {
    const { client, clientPort } = setup({}, { trusted: true })
    await expect(client.call('fail.now', {})).rejects.toMatchObject({ name: 'TypeError', message: 'the handler broke' })
    const waiting = client.call('wait.forever', {})
    clientPort.close()
    await expect(waiting).rejects.toMatchObject({ code: 'connection-closed' })
  })

  it("waits for the handler's own answer after a cancel when asked to", async () => {
    const { client } = setup(
      { 'wait.forever': (_params, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('stopped cleanly'))) },
      { trusted: true }
    )
    const controller = new AbortController()
    const call = client.call('wait.forever', {}, { signal: controller.signal, awaitAnswerOnCancel: true })
    await new Promise((r) => setTimeout(r, 10))
    controller.abort()
    await expect(call).resolves.toBe('stopped cleanly')
  })
})

describe('RpcClient / RpcServer', () => {
  it('calls a method and gets its validated result', async () => {
    const { client } = setup()
    await expect(client.call('math.add', { a: 20, b: 22 })).resolves.toBe(42)
  })

  it('delivers events with their payloads, in order', async () => {
    const { client, server } = setup()
    const ticks: number[] = []
    client.subscribe('tick', ({ n }) => ticks.push(n))
    for (let n = 1; n <= 5; n++) server.emit('tick', { n })
    await client.call('math.add', { a: 0, b: 0 }) // a round trip: every event sent before it has arrived
    expect(ticks).toEqual([1, 2, 3, 4, 5])
  })

  it('rejects with the remote error when the handler throws', async () => {
    const { client } = setup()
    const error = await client.call('fail.now', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ name: 'TypeError', message: 'the handler broke' })
  })

  it.each([false, true])('cancellation crosses the boundary: the handler sees its signal abort (trusted pair: %s)', async (trusted) => {
    const { client, aborted } = setup({}, { trusted })
    const controller = new AbortController()
    const call = client.call('wait.forever', {}, { signal: controller.signal })
    await new Promise((r) => setTimeout(r, 10))
    controller.abort()
    await expect(call).rejects.toMatchObject({ code: 'cancelled' })
    await new Promise((r) => setTimeout(r, 10))
    expect(aborted).toHaveLength(1)
    expect(aborted[0]).toBeInstanceOf(ProtocolError)
  })

  it('a cancel that arrives before the handler reads its signal still reaches it: the signal it then gets is aborted', async () => {
    let readSignal: () => AbortSignal = () => AbortSignal.abort()
    const { client } = setup({
      // Reads the signal only later, as an evaluation that starts awaiting after its synchronous part does.
      'wait.forever': (_params, request) => {
        readSignal = () => request.signal
        return new Promise(() => {})
      }
    })
    const controller = new AbortController()
    const call = client.call('wait.forever', {}, { signal: controller.signal, awaitAnswerOnCancel: true })
    await new Promise((r) => setTimeout(r, 10))
    controller.abort()
    await new Promise((r) => setTimeout(r, 10))
    const signal = readSignal()
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toBeInstanceOf(ProtocolError)
    void call.catch(() => undefined)
  })

  it('a call with an already aborted signal is never sent', async () => {
    const { client, serverPort } = setup()
    let seen = 0
    serverPort.onMessage(() => seen++)
    await expect(client.call('math.add', { a: 1, b: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'cancelled' })
    await new Promise((r) => setTimeout(r, 10))
    expect(seen).toBe(0)
  })

  it('pending calls fail with connection-closed when the port closes', async () => {
    const { client, serverPort } = setup()
    const call = client.call('wait.forever', {})
    await new Promise((r) => setTimeout(r, 5))
    serverPort.close()
    await expect(call).rejects.toMatchObject({ code: 'connection-closed' })
    await expect(client.call('math.add', { a: 1, b: 2 })).rejects.toMatchObject({ code: 'connection-closed' })
  })

  it('a closed client does not abort work the server started (a reload must not kill a run)', async () => {
    const { client, aborted } = setup()
    void client.call('wait.forever', {}).catch(() => undefined)
    await new Promise((r) => setTimeout(r, 5))
    client.dispose()
    await new Promise((r) => setTimeout(r, 20))
    expect(aborted).toEqual([])
  })

  it('rejects a response that breaks the contract, and tells the server', async () => {
    const { client, serverPort, log } = setup({ 'wait.forever': () => new Promise(() => {}) })
    const call = client.call('lie.about.result', {})
    // A response forged on the wire (the real server would have refused to send it).
    serverPort.send({ kind: 'response', id: 1, ok: true, result: 'not a number' })
    await expect(call).rejects.toMatchObject({ code: 'invalid-result' })
    await new Promise((r) => setTimeout(r, 10))
    expect(log.records.some((r) => r.message.includes("invalid result for 'lie.about.result'"))).toBe(true)
  })

  it('answers every malformed message with a structured error and keeps serving', async () => {
    const { clientPort, log } = setup()
    const garbage = [...garbageMessages(300, 7), { kind: 'request', id: 999, method: 'math.add', params: { a: 'one', b: 2 } }]
    const received = await expectGarbageAnswered(clientPort, garbage)
    // A malformed request with a usable id is answered on that id, with the reason.
    expect(received).toContainEqual(expect.objectContaining({ kind: 'response', id: 3, error: expect.objectContaining({ code: 'unknown-method' }) }))
    expect(received).toContainEqual(expect.objectContaining({ kind: 'response', id: 999, error: expect.objectContaining({ code: 'invalid-params' }) }))
    // Object.prototype members are not methods.
    expect(received).toContainEqual(expect.objectContaining({ kind: 'response', id: 7, error: expect.objectContaining({ code: 'unknown-method' }) }))
    // Every rejection left a log line.
    expect(log.records.filter((r) => r.message.startsWith('protocol: rejected message'))).toHaveLength(garbage.length)
    // And the server still works.
    const client = new RpcClient(clientPort, contract, new MemoryLogger())
    await expect(client.call('math.add', { a: 2, b: 3 })).resolves.toBe(5)
  })

  it('a client answers garbage from the server with an error, and keeps working', async () => {
    const { client, serverPort, log } = setup()
    const garbage = [
      42,
      'nope',
      { kind: 'request', id: 1, method: 'x', params: {} },
      { kind: 'event', topic: 'tick', payload: { n: 'one' } },
      { kind: 'event', topic: 'nope', payload: {} }
    ]
    const received = (await expectGarbageAnswered(serverPort, garbage)) as Array<{ error: { code: string } }>
    expect(received.map((r) => r.error.code)).toEqual(['invalid-message', 'invalid-message', 'unexpected-message', 'invalid-result', 'invalid-message'])
    expect(log.records.filter((r) => r.message.startsWith('protocol: rejected message'))).toHaveLength(garbage.length)
    await expect(client.call('math.add', { a: 1, b: 1 })).resolves.toBe(2)
  })

  it('a server whose result breaks its own contract answers with an error instead', async () => {
    const { client } = setup()
    // The client would reject a non-number anyway; the server says why first.
    await expect(client.call('lie.about.result', {})).rejects.toMatchObject({ code: 'invalid-result' })
  })

  it('a result the transport cannot carry still gets an answer (no call waits forever)', async () => {
    const [clientPort, serverPort] = createPortPair()
    // A JSON transport, like the WebSocket: a BigInt cannot cross it.
    const jsonOnly: Port = {
      ...serverPort,
      onMessage: serverPort.onMessage,
      onClose: serverPort.onClose,
      get isClosed() {
        return serverPort.isClosed
      },
      close: () => serverPort.close(),
      send: (message) => {
        try {
          JSON.stringify(message)
        } catch {
          return false
        }
        return serverPort.send(message)
      }
    }
    const log = new MemoryLogger()
    new RpcServer(jsonOnly, contract, { 'anything.goes': () => ({ big: 1n }) } as unknown as Handlers<typeof contract>, log)
    const client = new RpcClient(clientPort, contract, new MemoryLogger())
    await expect(client.call('anything.goes', {})).rejects.toMatchObject({ code: 'invalid-result' })
    expect(log.records.some((r) => r.level === 'error' && r.message.includes('could not be sent'))).toBe(true)
  })

  it('a malformed response still settles the call it names', async () => {
    const { client, serverPort } = setup({ 'wait.forever': () => new Promise(() => {}) })
    const call = client.call('wait.forever', {})
    await new Promise((r) => setTimeout(r, 5))
    serverPort.send({ kind: 'response', id: 1, ok: false, error: { name: 5 } })
    await expect(call).rejects.toMatchObject({ code: 'invalid-result' })
  })

  it('a duplicate in-flight request id is refused without settling the first call wrongly', async () => {
    const { clientPort } = setup({ 'math.add': async ({ a, b }) => new Promise((r) => setTimeout(() => r(a + b), 20)) })
    const replies = collectMessages(clientPort, 2)
    clientPort.send({ kind: 'request', id: 1, method: 'math.add', params: { a: 1, b: 2 } })
    clientPort.send({ kind: 'request', id: 1, method: 'math.add', params: { a: 5, b: 5 } })
    expect(await replies).toEqual([
      { kind: 'error', error: expect.objectContaining({ code: 'invalid-message' }) },
      { kind: 'response', id: 1, ok: true, result: 3 }
    ])
  })

  it('disposing a client rejects its pending calls', async () => {
    const { client } = setup()
    const call = client.call('wait.forever', {})
    client.dispose()
    await expect(call).rejects.toMatchObject({ code: 'connection-closed' })
  })

  it('never answers an error report, so two peers cannot loop', async () => {
    const { clientPort } = setup()
    let replies = 0
    clientPort.onMessage(() => replies++)
    clientPort.send({ kind: 'error', error: { name: 'ProtocolError', message: 'you sent garbage' } })
    await new Promise((r) => setTimeout(r, 20))
    expect(replies).toBe(0)
  })
})
