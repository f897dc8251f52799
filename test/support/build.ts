// @ts-expect-error -- a plain .mjs script without type declarations
import { build } from '../../scripts/build.mjs'

/**
 * Vitest global setup: integration tests start the built runtime and browser-mode host, so build
 * first. `npm test` builds once before all suites and sets CORTEX_SKIP_BUILD to skip this.
 */
export default function setup(): void {
  if (process.env['CORTEX_SKIP_BUILD'] === '1') return
  if (!(build as () => boolean)()) throw new Error('the build failed (see above)')
}
