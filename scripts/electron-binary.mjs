// Where the Electron binary is, without triggering electron's lazy download (requiring the
// `electron` package in plain Node would try to download it).
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))

/** The path of the installed Electron executable, or undefined if it is not installed. */
export function findElectronBinary() {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const pathFile = join(electronDir, 'path.txt')
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron'
  const binary = override ? join(override, name) : existsSync(pathFile) ? join(electronDir, 'dist', name) : undefined
  return binary && existsSync(binary) ? binary : undefined
}

/** Tries electron's own installer once. Returns the binary, or the reason it could not be had. */
export function installElectronBinary() {
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { encoding: 'utf8', timeout: 180_000 })
  const binary = findElectronBinary()
  if (binary) return { binary }
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`
  const reason =
    /(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|fetch failed)[^\n]*/.exec(output)?.[0] ??
    (result.error ? String(result.error.message) : `installer exited with ${result.status}`)
  return { reason: reason.trim() }
}
