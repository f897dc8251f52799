import { test as base } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'

export interface RunningHost {
  /** The URL the host printed, token included. */
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

/**
 * Starts the built browser-mode host exactly as `cortex web` does, and reads the URL it prints.
 * `cwd` is the project folder (the runtime's directory, where its session store lives).
 */
export async function startHost(env: Record<string, string> = {}, options: { cwd?: string } = {}): Promise<RunningHost> {
  const child = spawn(process.execPath, [resolve('out/main/webhost.js'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    ...(options.cwd ? { cwd: options.cwd } : {})
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const url = await new Promise<string>((resolveUrl, reject) => {
    let stdout = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stdout)
      if (match) resolveUrl(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`the host exited (${code}) before printing its URL:\n${stderr}`)))
  })
  return {
    url,
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
}

/**
 * Playwright's `test` with a `host` started with `env`: one browser-mode host per worker and per
 * call, stopped at the end. Each spec file calls it once, so its runs (g1…) start from a fresh runtime.
 */
export function testWithHost(env: Record<string, string> = {}) {
  return base.extend<object, { host: RunningHost }>({
    host: [
      // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their dependencies
      async ({}, use) => {
        const host = await startHost(env)
        await use(host)
        await host.stop()
      },
      { scope: 'worker' }
    ]
  })
}

/** A host with an empty namespace. */
export const test = testWithHost()

/** As `npm start` does: the runtime starts with the OOTD example loaded (a fresh host for each spec file that calls it). */
export const testWithOotd = () => testWithHost({ CORTEX_LOAD: resolve('examples/ootd/index.ts') })
