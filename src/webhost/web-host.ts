import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { CONTENT_SECURITY_POLICY_HEADER } from '../common/csp'
import { hostContract } from '../common/host-contract'
import { DisposableStore } from '../common/lifecycle'
import type { Logger } from '../common/logger'
import { PortMux } from '../common/protocol/mux'
import { pipePorts } from '../common/protocol/pipe'
import { RpcServer } from '../common/protocol/rpc'
import { fromWebSocket } from '../common/protocol/transports/websocket'
import { BlockingRunMessage } from '../common/runtime-contract'
import { HeartbeatMonitor, type HeartbeatOptions } from '../common/supervision/heartbeat'
import { RuntimeSupervisor } from '../common/supervision/runtime-supervisor'
import { checkAccess, cookieName, CORTEX_PROTOCOL, createToken, isLoopbackHost } from './access'
import { launchRuntimeChild, stopRuntime, type RuntimeChild } from './runtime-process'
import { MemoryAssistantSettings } from './assistant-settings'
import { openWithSystem } from './open-path'
import { serveStatic } from './static-files'

export interface WebHostOptions {
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** The built runtime entry (out/main/runtime.js). */
  runtimePath: string
  /** Loopback only: 127.0.0.1 (default), localhost or ::1. */
  host?: string
  /** 0 picks a free port. */
  port?: number
  log: Logger
  /** Where the runtime's log lines go (default: stderr). */
  runtimeStderr?: (line: string) => void
  /** Heartbeat timing (tests shorten it). */
  heartbeat?: Pick<HeartbeatOptions, 'intervalMs' | 'timeoutMs' | 'interruptGraceMs'>
  /** Opens a file with the system's handler (default: xdg-open, or open on macOS; tests give a fake). */
  openCommand?: string
}

export interface WebHost {
  /** The URL to open, with the session token. */
  readonly url: string
  readonly port: number
  readonly token: string
  readonly supervisor: RuntimeSupervisor
  close(): Promise<void>
}

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY_HEADER,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin'
}

function forbidden(response: ServerResponse, reason: string): void {
  response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
  response.end(`403 Forbidden: ${reason}.\nOpen the URL that \`cortex web\` printed; it carries this session's token.\n`)
}

function rejectUpgrade(socket: Duplex, status: '403 Forbidden' | '404 Not Found' | '503 Service Unavailable', reason: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${status}: ${reason}\n`)
}

/**
 * The browser mode: serves the built renderer, supervises a runtime child process, and bridges
 * each browser tab's WebSocket (`/runtime`) to its own channel of that runtime. `/host` serves
 * the host's own contract (runtime status, restart). Binds loopback only; every request needs
 * the token.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1'
  if (!isLoopbackHost(host)) throw new Error(`refusing to listen on ${host}: the browser mode binds loopback addresses only (127.0.0.1, localhost, ::1)`)
  const { log } = options
  const token = createToken()
  const store = new DisposableStore()

  // The assistant's key and model: in this process's memory, passed to the runtime, never to a page.
  const assistant = new MemoryAssistantSettings(process.env)
  store.add(assistant.onDidChange(() => mux?.sendControl(assistant.configuration())))
  let mux: PortMux | undefined
  let child: RuntimeChild | undefined
  const supervisor: RuntimeSupervisor = store.add(
    new RuntimeSupervisor({
      launch: () => {
        const launched = launchRuntimeChild(options.runtimePath, log, options.runtimeStderr)
        const channels = new PortMux(launched.port, log)
        mux = channels
        child = launched
        channels.sendControl(assistant.configuration())
        const heartbeat = new HeartbeatMonitor({
          ping: (signal) => channels.ping(signal),
          // Silent: SIGINT first (breaks a loop in an evaluation, keeps the namespace), then a restart.
          interrupt: () => launched.interrupt(),
          onUnresponsive: (ms) => supervisor.recoverUnresponsive(ms),
          ...options.heartbeat
        })
        channels.onDidReceiveControl((data) => {
          const message = BlockingRunMessage.safeParse(data)
          if (message.success) heartbeat.blockingRun(message.data.running)
        })
        launched.onExit(() => heartbeat.dispose())
        return launched
      },
      // No confirmRestart: after a crash loop the status stays `crashed`, and the window asks (its Restart button).
      log
    })
  )

  const server: Server = createServer()
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // The page offers `cortex.v1` plus its token as a second subprotocol; answer with the first.
    handleProtocols: (offered) => (offered.has(CORTEX_PROTOCOL) ? CORTEX_PROTOCOL : false)
  })
  let port = 0

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const access = checkAccess(request, { token, port }, 'page')
    if (!access.ok) return forbidden(response, access.reason)
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' })
      response.end()
      return
    }
    const { pathname } = new URL(request.url ?? '/', 'http://local')
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value)
    // The cookie lets the page and its assets load again (a reload); it does not open the sockets.
    if (access.viaQuery) response.setHeader('set-cookie', `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`)
    serveStatic(options.rendererDir, pathname, response, request.method === 'HEAD').catch((error: unknown) => {
      log.error('static file failed', { pathname, error: String(error) })
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const access = checkAccess(request, { token, port }, 'socket')
    if (!access.ok) {
      log.warn(`rejected a WebSocket: ${access.reason}`)
      return rejectUpgrade(socket, '403 Forbidden', access.reason)
    }
    const { pathname } = new URL(request.url ?? '/', 'http://local')
    if (pathname !== '/runtime' && pathname !== '/host') return rejectUpgrade(socket, '404 Not Found', `no WebSocket endpoint at ${pathname}`)
    // Refuse rather than accept-then-close, so a client backs off instead of reconnecting at once.
    if (pathname === '/runtime' && (!mux || supervisor.status.state !== 'running'))
      return rejectUpgrade(socket, '503 Service Unavailable', 'the runtime is not running')
    sockets.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const client = fromWebSocket(ws)
      if (pathname === '/host') {
        const rpc = new RpcServer(
          client,
          hostContract,
          {
            'host.runtimeStatus': () => supervisor.status,
            'host.restartRuntime': () => {
              supervisor.restart()
              return supervisor.status
            },
            'host.interruptRuntime': () => {
              // SIGINT breaks a synchronous loop in an evaluation (vm breakOnSigint), keeping the namespace.
              child?.interrupt()
              return {}
            },
            'host.openPath': async (request) => {
              await openWithSystem(request, options.openCommand, log)
              return {}
            },
            'host.assistantSettings': () => assistant.view(),
            'host.setApiKey': ({ apiKey }) => assistant.setApiKey(apiKey),
            'host.setModel': ({ model }) => assistant.setModel(model)
          },
          log
        )
        const subscription = supervisor.onDidChangeStatus((status) => rpc.emit('host.runtimeStatus', status))
        client.onClose(() => subscription.dispose())
        return
      }
      if (!mux) return client.close()
      pipePorts(client, mux.open())
      // Again with each tab: by then the runtime surely listens (a message sent while it starts could go unheard).
      mux.sendControl(assistant.configuration())
    })
  })

  // Listen first: if the port is taken, no runtime process has been started for nothing.
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolvePromise()
    })
  })
  supervisor.start()
  const address = server.address()
  port = typeof address === 'object' && address ? address.port : 0
  const authority = host === '::1' ? `[::1]:${port}` : `${host}:${port}`

  return {
    url: `http://${authority}/?token=${token}`,
    port,
    token,
    supervisor,
    close: async () => {
      for (const ws of sockets.clients) ws.terminate()
      sockets.close()
      const running = child?.process
      store.dispose()
      // Wait for the runtime to be gone (killed if it does not stop in time): nothing outlives the host.
      if (running) await stopRuntime(running)
      mux?.dispose()
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
    }
  }
}
