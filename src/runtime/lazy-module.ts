import { createRequire } from 'node:module'

const load = createRequire(import.meta.url)

/**
 * A package loaded when first asked for, not when the runtime starts: most of a runtime's start is
 * loading modules, and some (the Anthropic SDK, the tracing SDK and its OTLP exporter, sucrase) many
 * sessions never use. Loaded with `require`: its CommonJS build, so the runtime must take such a
 * package's values only through here (types may be imported), or it would hold two copies.
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= load(id) as T)
}
