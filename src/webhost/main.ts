/**
 * `cortex web`: the browser mode. Prints the URL (with its token) and runs until interrupted.
 * Options: --port <n> (default 7373, the next free one if taken), --host <loopback address>.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { serializeError, setUnexpectedErrorHandler } from '../common/errors'
import { createLineLogger } from '../common/logger'
import { startWebHost, type WebHost } from './web-host'

const here = fileURLToPath(new URL('.', import.meta.url))
const log = createLineLogger('webhost', (line) => process.stderr.write(`${line}\n`))
setUnexpectedErrorHandler((error) => log.error('unexpected error', serializeError(error)))

const DEFAULT_PORT = 7373

async function listen(host: string | undefined, requestedPort: number | undefined): Promise<WebHost> {
  // CORTEX_OPEN_COMMAND replaces the system's file opener (tests point it at a fake that records its argument).
  const openCommand = process.env['CORTEX_OPEN_COMMAND'] || undefined
  const options = { rendererDir: join(here, '../renderer'), runtimePath: join(here, 'runtime.js'), host, log, openCommand }
  if (requestedPort !== undefined) return startWebHost({ ...options, port: requestedPort })
  for (let port = DEFAULT_PORT; port < DEFAULT_PORT + 10; port++) {
    try {
      return await startWebHost({ ...options, port })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
    }
  }
  return startWebHost({ ...options, port: 0 })
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } })
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`--port must be a port number, got ${values.port}`)
  const host = await listen(values.host, port)
  process.stdout.write(`Cortex is running in browser mode: ${host.url}\n`)
  const shutdown = (): void => {
    void host.close().finally(() => process.exit(0))
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

main().catch((error: unknown) => {
  process.stderr.write(`cortex web: ${(error as Error).message}\n`)
  process.exit(1)
})
