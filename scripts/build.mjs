// Builds the app (main + runtime + browser-mode host, preload, renderer) into out/ with
// electron-vite. Shared by `cortex start/web`, `npm test` and the vitest setup.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(dirname(createRequire(import.meta.url).resolve('electron-vite/package.json')), 'bin/electron-vite.js')

/** Runs the build; its output is returned, and printed only when it fails. Returns true on success. */
export function build() {
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: projectRoot, encoding: 'utf8' })
  if (result.status !== 0) process.stderr.write(`${result.stdout ?? ''}\n${result.stderr ?? ''}\nThe build failed.\n`)
  return result.status === 0
}
