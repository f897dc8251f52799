import { createRequire } from 'node:module'

const load = createRequire(import.meta.url)

/**
 * A CommonJS package loaded when first asked for, not when the runtime starts: most of a runtime's
 * start is loading modules, and some (sucrase, the tracing SDK) many sessions never use. It is the
 * same module an import would load (these packages have no ES module build that Node picks).
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= load(id) as T)
}
