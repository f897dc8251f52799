// The e2e tests drive Debian's Chromium (Playwright's own browser download does not work here).
// If it is missing, install it with apt when we may (root, or password-less sudo); otherwise say how.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const PACKAGES = ['chromium', 'xvfb', 'fonts-dejavu-core']

export function ensureChromium() {
  if (existsSync(chromiumPath)) return true
  if (process.env.CHROMIUM_PATH) {
    process.stderr.write(`CHROMIUM_PATH is set to ${chromiumPath}, which does not exist.\n`)
    return false
  }
  const asRoot = process.getuid?.() === 0
  const sudo = !asRoot && spawnSync('sudo', ['-n', 'true']).status === 0
  if (!asRoot && !sudo) {
    process.stderr.write(`Chromium is missing for the e2e tests: run \`sudo apt-get install -y ${PACKAGES.join(' ')}\`.\n`)
    return false
  }
  process.stdout.write(`Chromium is missing; installing ${PACKAGES.join(' ')} with apt-get…\n`)
  const run = (args) =>
    spawnSync(sudo ? 'sudo' : args[0], sudo ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  run(['apt-get', 'update', '-q'])
  run(['apt-get', 'install', '-y', '-q', ...PACKAGES])
  return existsSync(chromiumPath)
}
