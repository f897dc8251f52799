// Builds the app (main + runtime + browser-mode host, preload, renderer) into out/ with
// electron-vite. Shared by `cortex start/web`, `npm test` and the vitest setup.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
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

/** What the build reads: a change to any of these makes the outputs stale. */
const BUILD_INPUTS = ['src', 'electron.vite.config.ts', 'package.json', 'package-lock.json']

function newestChange(path) {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return 0
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs // a deleted file shows as a change of its folder
  for (const entry of readdirSync(path, { recursive: true })) newest = Math.max(newest, statSync(join(path, entry), { throwIfNoEntry: false })?.mtimeMs ?? 0)
  return newest
}

/**
 * True when every output (paths relative to the project) exists and is newer than every build
 * input, so `cortex` can skip the build. A few hundred stat calls: milliseconds.
 */
export function isBuildCurrent(outputs) {
  const built = Math.min(...outputs.map((output) => statSync(join(projectRoot, output), { throwIfNoEntry: false })?.mtimeMs ?? 0))
  return built > 0 && BUILD_INPUTS.every((input) => newestChange(join(projectRoot, input)) <= built)
}
