import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/** Paths of the built app; the vitest global setup builds it (test/support/build.ts). */
export const built = {
  runtime: resolve('out/main/runtime.js'),
  webhost: resolve('out/main/webhost.js'),
  renderer: resolve('out/renderer')
}

export function assertBuilt(): void {
  for (const path of Object.values(built)) if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`)
}
