import { execSync, spawnSync } from 'node:child_process'
import { request } from 'node:http'
import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { nextValue } from '../../src/common/event'
import { hostContract } from '../../src/common/host-contract'
import { MemoryLogger } from '../../src/common/logger'
import { RpcClient } from '../../src/common/protocol/rpc'
import { fromWebSocket } from '../../src/common/protocol/transports/websocket'
import { runtimeContract } from '../../src/common/runtime-contract'
import type { RuntimeStatus } from '../../src/common/supervision/runtime-supervisor'
import { startWebHost, type WebHost } from '../../src/webhost/web-host'
import { assertBuilt, built } from '../support/built'
import { garbageMessages } from '../support/garbage'
import { collectMessages, expectAllProtocolErrors, expectGarbageAnswered } from '../support/protocol'
import { resultText } from '../support/ansi'
import { until } from '../support/until'

let host: WebHost
const log = new MemoryLogger()
const runtimeLog: string[] = []

beforeAll(async () => {
  assertBuilt()
  host = await startWebHost({ rendererDir: built.renderer, runtimePath: built.runtime, port: 0, log, runtimeStderr: (line) => runtimeLog.push(line) })
})
afterAll(() => host?.close())

interface HttpResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw HTTP GET with full control of the headers (fetch would not let us forge Host). */
function get(path: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Opens a WebSocket; resolves with it once open, or with the HTTP status it was refused with. */
function openSocket(path: string, options: { headers?: Record<string, string>; origin?: string; protocols?: string[] } = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, options.protocols ?? [], { headers: options.headers, origin: options.origin })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.once('error', reject)
  })
}

async function openRuntime(): Promise<RpcClient<typeof runtimeContract>> {
  const ws = await openSocket(`/runtime?token=${host.token}`)
  if (typeof ws === 'number') throw new Error(`refused with ${ws}`)
  return new RpcClient(fromWebSocket(ws), runtimeContract, new MemoryLogger())
}

describe('browser-mode host: HTTP', () => {
  it('refuses the page without the token, or with a wrong one', async () => {
    const missing = await get('/')
    expect(missing.status).toBe(403)
    expect(missing.body).toContain('missing token')
    expect((await get('/?token=wrong')).status).toBe(403)
    expect((await get(`/?token=${host.token}x`)).status).toBe(403)
  })

  it('serves the app with the token, moves it into an HttpOnly cookie, and sends the CSP', async () => {
    const page = await get(`/?token=${host.token}`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('<div id="root">')
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect(page.headers['x-frame-options']).toBe('DENY')
    const cookie = String(page.headers['set-cookie'])
    expect(cookie).toContain(`cortex_token_${host.port}=${host.token}`)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')
    // Scripts load with the cookie alone.
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(page.body)![1]!
    const asset = await get(`/${script}`, { cookie: `cortex_token_${host.port}=${host.token}` })
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toContain('javascript')
    expect((await get(`/${script}`)).status).toBe(403)
  })

  it('a same-named cookie planted by another local page does not lock the app out', async () => {
    const name = `cortex_token_${host.port}`
    expect((await get('/', { cookie: `${name}=planted; ${name}=${host.token}` })).status).toBe(200)
  })

  it('refuses a foreign Host header (DNS rebinding), even with the token', async () => {
    expect((await get(`/?token=${host.token}`, { host: `evil.example:${host.port}` })).status).toBe(403)
  })

  it('does not serve files outside the renderer', async () => {
    for (const path of ['/../main/webhost.js', '/%2e%2e/main/webhost.js', '/..%2fmain%2fwebhost.js', '/assets/../../package.json']) {
      const response = await get(`${path}${path.includes('?') ? '&' : '?'}token=${host.token}`)
      expect(response.status, path).toBe(404)
    }
  })
})

describe('browser-mode host: WebSocket', () => {
  it('refuses a WebSocket without the token, with a wrong token, or from a foreign Origin', async () => {
    expect(await openSocket('/runtime')).toBe(403)
    expect(await openSocket('/runtime?token=nope')).toBe(403)
    expect(await openSocket(`/runtime?token=${host.token}`, { origin: 'http://evil.example' })).toBe(403)
    expect(await openSocket(`/runtime?token=${host.token}`, { origin: `http://127.0.0.1:${host.port + 1}` })).toBe(403)
    expect(log.records.some((r) => r.message.includes('foreign Origin'))).toBe(true)
  })

  it('accepts the page with its token as a subprotocol, and bridges it to the runtime', async () => {
    const ws = await openSocket('/runtime', { origin: `http://127.0.0.1:${host.port}`, protocols: ['cortex.v1', `cortex.token.${host.token}`] })
    expect(ws).toBeInstanceOf(WebSocket)
    expect((ws as WebSocket).protocol).toBe('cortex.v1')
    const client = new RpcClient(fromWebSocket(ws as WebSocket), runtimeContract, new MemoryLogger())
    await client.call('repl.evaluate', { code: 'const x = 20' })
    expect(resultText(await client.call('repl.evaluate', { code: 'x * 2 + 2' }))).toBe('42')
    client.dispose()
  })

  it('does not open a WebSocket for the cookie alone (other local ports receive cookies too)', async () => {
    const cookie = { cookie: `cortex_token_${host.port}=${host.token}` }
    expect(await openSocket('/runtime', { origin: `http://127.0.0.1:${host.port}`, headers: cookie })).toBe(403)
    expect(await openSocket('/runtime', { protocols: ['cortex.v1', 'cortex.token.wrong'] })).toBe(403)
  })

  it('answers garbage frames (not JSON, binary, wrong shapes) with errors and keeps serving', async () => {
    const ws = await openSocket(`/runtime?token=${host.token}`)
    if (typeof ws === 'number') throw new Error(`refused: ${ws}`)
    const port = fromWebSocket(ws)
    const replies = collectMessages(port, 3)
    ws.send('this is not json {')
    ws.send(Buffer.from([1, 2, 3]), { binary: true })
    ws.send('')
    expectAllProtocolErrors(await replies)
    await expectGarbageAnswered(port, garbageMessages(200, 5))
    // The runtime logged every rejection (its stderr arrives apart from the replies, so wait for it).
    const rejections = () => runtimeLog.filter((line) => line.includes('rejected message')).length
    await until(() => rejections() >= 203, 5000, 'the runtime to log every rejection')
    const client = new RpcClient(port, runtimeContract, new MemoryLogger())
    expect(resultText(await client.call('repl.evaluate', { code: '"still here"' }))).toBe("'still here'")
    client.dispose()
  })

  it('survives frames that break the WebSocket protocol (invalid UTF-8)', async () => {
    const ws = await openSocket(`/runtime?token=${host.token}`)
    if (typeof ws === 'number') throw new Error(`refused: ${ws}`)
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    // A masked text frame whose payload is not UTF-8, written below the ws client's checks.
    const socket = (ws as unknown as { _socket: Socket })._socket
    socket.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xff, 0xfe]))
    expect(await closed).toBe(1007)
    // The host is still there.
    const client = await openRuntime()
    expect(resultText(await client.call('repl.evaluate', { code: '1 + 1' }))).toBe('2')
    client.dispose()
  })

  it('gives each tab its own connection to one shared namespace', async () => {
    const [a, b] = await Promise.all([openRuntime(), openRuntime()])
    await a.call('repl.evaluate', { code: 'var sharedAcrossTabs = 7' })
    expect(resultText(await b.call('repl.evaluate', { code: 'sharedAcrossTabs * 6' }))).toBe('42')
    a.dispose()
    b.dispose()
  })
})

describe('browser-mode host: runtime supervision', () => {
  it('restarts a killed runtime, tells the window, and lets it reconnect', async () => {
    const ws = await openSocket(`/host?token=${host.token}`)
    if (typeof ws === 'number') throw new Error(`refused: ${ws}`)
    const hostClient = new RpcClient(fromWebSocket(ws), hostContract, new MemoryLogger())
    const before = await hostClient.call('host.runtimeStatus', {})
    expect(before.state).toBe('running')

    const runtime = await openRuntime()
    const closed = nextValue(runtime.onClose)
    const running = new Promise<RuntimeStatus>((resolve) => hostClient.subscribe('host.runtimeStatus', (s) => s.state === 'running' && resolve(s)))
    process.kill(before.pid!, 'SIGKILL')

    await closed // the tab's connection to the dead runtime closes
    const after = await running
    expect(after.pid).not.toBe(before.pid)
    expect(after.message).toContain('signal SIGKILL')
    expect(after.message).toContain('Restarted')

    const again = await openRuntime()
    expect(resultText(await again.call('repl.evaluate', { code: 'typeof sharedAcrossTabs' }))).toBe("'undefined'") // a new namespace
    again.dispose()
    hostClient.dispose()
  })
})

describe('browser-mode host: interrupt levels', () => {
  async function openHost(target: WebHost): Promise<RpcClient<typeof hostContract>> {
    const ws = new WebSocket(`ws://127.0.0.1:${target.port}/host?token=${target.token}`)
    await new Promise((resolve) => ws.once('open', resolve))
    return new RpcClient(fromWebSocket(ws), hostContract, new MemoryLogger())
  }

  it('SIGINT breaks a synchronous infinite loop in an evaluation and keeps the namespace', async () => {
    const runtime = await openRuntime()
    await runtime.call('repl.evaluate', { code: 'var keptAcrossInterrupt = "still here"' })
    const looping = runtime.call('repl.evaluate', { code: 'while (true) {}' })
    await new Promise((r) => setTimeout(r, 200))
    const hostClient = await openHost(host)
    await hostClient.call('host.interruptRuntime', {})
    const result = await looping
    expect(result).toMatchObject({ ok: false, error: { code: 'interrupted' } })
    expect(resultText(await runtime.call('repl.evaluate', { code: 'keptAcrossInterrupt' }))).toBe("'still here'")
    runtime.dispose()
    hostClient.dispose()
  })

  it("an evaluation that computes past the heartbeat's timeout is left to finish: its result comes, nothing is interrupted or restarted", async () => {
    const busy = await startWebHost({
      rendererDir: built.renderer,
      runtimePath: built.runtime,
      port: 0,
      log: new MemoryLogger(),
      runtimeStderr: () => {},
      heartbeat: { intervalMs: 50, timeoutMs: 400, interruptGraceMs: 300 }
    })
    try {
      const ws = await new Promise<WebSocket>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${busy.port}/runtime?token=${busy.token}`)
        socket.once('open', () => resolve(socket))
      })
      const runtime = new RpcClient(fromWebSocket(ws), runtimeContract, new MemoryLogger())
      const before = busy.supervisor.status.pid
      await runtime.call('repl.evaluate', { code: 'var kept = 41' })
      // 1.5 s of synchronous work, more than the timeout and its grace together: the user's computation.
      const computed = await runtime.call('repl.evaluate', {
        code: 'let spins = 0; const end = Date.now() + 1500; while (Date.now() < end) spins++; spins > 0'
      })
      expect(resultText(computed)).toBe('true')
      expect(resultText(await runtime.call('repl.evaluate', { code: 'kept + 1' }))).toBe('42')
      expect(busy.supervisor.status.pid).toBe(before)
      runtime.dispose()
    } finally {
      await busy.close()
    }
  })

  it('a runtime stuck outside any evaluation stops answering its heartbeat and is restarted, with a message', async () => {
    const quiet = await startWebHost({
      rendererDir: built.renderer,
      runtimePath: built.runtime,
      port: 0,
      log: new MemoryLogger(),
      runtimeStderr: () => {},
      heartbeat: { intervalMs: 50, timeoutMs: 600 }
    })
    try {
      const ws = await new Promise<WebSocket>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${quiet.port}/runtime?token=${quiet.token}`)
        socket.once('open', () => resolve(socket))
      })
      const runtime = new RpcClient(fromWebSocket(ws), runtimeContract, new MemoryLogger())
      const before = quiet.supervisor.status.pid
      // A loop in a timer callback: not inside an evaluation, so SIGINT cannot break it.
      await runtime.call('repl.evaluate', { code: 'setTimeout(() => { while (true) {} }, 20); "armed"' })
      const restarted = await new Promise<RuntimeStatus>((resolve) =>
        quiet.supervisor.onDidChangeStatus((s) => s.state === 'running' && s.pid !== before && resolve(s))
      )
      expect(restarted.message).toMatch(/stopped answering for \d+\.\d s .*its namespace and running tasks were lost/)
      runtime.dispose()
    } finally {
      await quiet.close()
    }
  })
})

describe('browser-mode host: a runtime that keeps crashing', () => {
  it('stops after 3 automatic restarts, refuses runtime sockets (503) and restarts on request', async () => {
    const stopLog = new MemoryLogger()
    const crashing = await startWebHost({ rendererDir: built.renderer, runtimePath: built.runtime, port: 0, log: stopLog, runtimeStderr: () => {} })
    try {
      for (let crash = 0; crash < 4; crash++) {
        const pid = crashing.supervisor.status.pid!
        const next = nextValue(crashing.supervisor.onDidChangeStatus)
        process.kill(pid, 'SIGKILL')
        await next
        while (crashing.supervisor.status.state === 'restarting' || crashing.supervisor.status.state === 'starting')
          await nextValue(crashing.supervisor.onDidChangeStatus)
      }
      // No dialog in the browser mode: it stays crashed, saying why, until a window's Restart button.
      while (crashing.supervisor.status.state !== 'crashed') await nextValue(crashing.supervisor.onDidChangeStatus)
      expect(crashing.supervisor.status.message).toContain('It crashed 4 times within 5 minutes, so it was not restarted automatically.')
      const refused = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${crashing.port}/runtime?token=${crashing.token}`)
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.once('open', () => reject(new Error('opened')))
      })
      expect(refused).toBe(503)

      const hostSocket = new WebSocket(`ws://127.0.0.1:${crashing.port}/host?token=${crashing.token}`)
      await new Promise((resolve) => hostSocket.once('open', resolve))
      const hostClient = new RpcClient(fromWebSocket(hostSocket), hostContract, new MemoryLogger())
      expect(await hostClient.call('host.restartRuntime', {})).toMatchObject({ state: 'running' })
      hostClient.dispose()
    } finally {
      await crashing.close()
    }
  })
})

describe('browser-mode host: binding', () => {
  it('starts no runtime when its port is taken', async () => {
    const children = () => Number(execSync(`ps -o pid= --ppid ${process.pid} | wc -l`).toString().trim())
    const before = children()
    await expect(startWebHost({ rendererDir: built.renderer, runtimePath: built.runtime, port: host.port, log })).rejects.toThrow(/EADDRINUSE/)
    expect(children()).toBe(before)
  })

  it('never binds a non-loopback address', async () => {
    for (const address of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      await expect(startWebHost({ rendererDir: built.renderer, runtimePath: built.runtime, host: address, port: 0, log })).rejects.toThrow(/loopback/)
    }
  })

  it('`cortex web --host 0.0.0.0` exits with the reason and starts nothing', () => {
    const result = spawnSync(process.execPath, [built.webhost, '--host', '0.0.0.0', '--port', '0'], { encoding: 'utf8', timeout: 15_000 })
    expect(result.status).not.toBe(0)
    expect(result.stderr).toMatch(/refusing to listen on 0\.0\.0\.0: the browser mode binds loopback addresses only/)
    expect(result.stdout).not.toMatch(/running in browser mode/)
  })

  it('binds the IPv6 loopback ::1 and serves the page there, with the token', async () => {
    const v6 = await startWebHost({ rendererDir: built.renderer, runtimePath: built.runtime, host: '::1', port: 0, log })
    try {
      expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+\/\?token=/)
      expect((await fetch(v6.url)).status).toBe(200)
      expect((await fetch(v6.url.replace(/\?token=.*/, ''))).status).toBe(403)
    } finally {
      await v6.close()
    }
  })
})

describe('browser-mode host: the assistant settings', () => {
  it('keeps a key given over /host in memory, passes it to the runtime below the tabs channels, and never gives it back or logs it', async () => {
    const KEY = 'sk-ant-test-key-0123456789'
    const ws = await openSocket(`/host?token=${host.token}`)
    if (typeof ws === 'number') throw new Error(`refused: ${ws}`)
    const hostClient = new RpcClient(fromWebSocket(ws), hostContract, new MemoryLogger())
    // A tab's runtime socket, watched frame by frame: the key must never travel on it.
    const tab = await openSocket(`/runtime?token=${host.token}`)
    if (typeof tab === 'number') throw new Error(`refused: ${tab}`)
    const tabFrames: string[] = []
    tab.on('message', (data: Buffer) => tabFrames.push(data.toString()))
    const hostFrames: string[] = []
    ws.on('message', (data: Buffer) => hostFrames.push(data.toString()))

    expect(await hostClient.call('host.assistantSettings', {})).toMatchObject({ model: 'claude-sonnet-5-5', keyStorage: 'memory' })
    expect(await hostClient.call('host.setApiKey', { apiKey: KEY })).toMatchObject({ apiKey: 'settings' })
    await until(() => runtimeLog.some((line) => line.includes('assistant settings from the host: an API key')), 5000, 'the runtime to be configured')
    expect((await hostClient.call('host.setModel', { model: 'claude-opus-4-6' })).model).toBe('claude-opus-4-6')
    await until(() => runtimeLog.some((line) => line.includes('model claude-opus-4-6')), 5000, 'the model to reach the runtime')
    // A malformed key is refused without being repeated anywhere.
    await expect(hostClient.call('host.setApiKey', { apiKey: 'not a key at all' })).rejects.toThrow(/not an API key/)
    const forgotten = await hostClient.call('host.setApiKey', { apiKey: null })
    expect(forgotten.apiKey).toBe(process.env['ANTHROPIC_API_KEY'] ? 'env' : 'none')

    const everything = JSON.stringify([runtimeLog, log.records, tabFrames, hostFrames])
    expect(everything).not.toContain(KEY)
    expect(everything).not.toContain('not a key at all')
    tab.close()
    hostClient.dispose()
  })
})
