// Type-checks every layer under its own tsconfig, so each layer's limits hold:
// common sees neither DOM nor Node, the renderer no Node, the runtime no DOM.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const projects = ['tsconfig.common.json', 'tsconfig.node.json', 'tsconfig.main.json', 'tsconfig.preload.json', 'tsconfig.renderer.json', 'tsconfig.json']
let failed = 0
for (const project of projects) {
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { stdio: 'inherit' })
  if (result.status !== 0) {
    failed++
    console.error(`typecheck failed: ${project}`)
  }
}
console.log(failed ? `typecheck: ${failed} of ${projects.length} projects failed` : `typecheck: ${projects.length} projects OK`)
process.exitCode = failed ? 1 : 0
