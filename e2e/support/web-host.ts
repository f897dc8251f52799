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

/** Playwright's `test` with a `host`: one browser-mode host per worker, stopped at the end. */
export const test = base.extend<object, { host: RunningHost }>({
  host: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their dependencies
    async ({}, use) => {
      const host = await startHost()
      await use(host)
      await host.stop()
    },
    { scope: 'worker' }
  ]
})
