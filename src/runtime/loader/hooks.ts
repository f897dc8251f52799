/**
 * Module loader hooks for the runtime process (registered by main.ts with `module.register`):
 * - `.ts`/`.tsx`/`.mts` files load with their types stripped (sucrase), so graph files, `%load`,
 *   dropped files and `import './x.ts'` in the REPL work in TypeScript;
 * - a relative import without an extension (TypeScript style, `./deps`) finds `deps.ts`;
 * - `import { node } from 'cortex'` (also 'cortex/graph', 'cortex/lm') gives the runtime's own
 *   framework objects, the very ones the REPL namespace holds.
 * These run on Node's loader thread: only plain data crosses from the runtime (the export names).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { transform } from 'sucrase'

const CORTEX_URL = 'cortex:api'
const CORTEX_SPECIFIERS = new Set(['cortex', 'cortex/graph', 'cortex/lm'])
const TYPESCRIPT = /\.(ts|tsx|mts|cts)$/
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.js']

let exportNames: string[] = []

export function initialize(data: { exports?: string[] } | undefined): void {
  exportNames = data?.exports ?? []
}

interface ResolveContext {
  parentURL?: string
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string; format?: string }>
type NextLoad = (url: string, context: unknown) => Promise<{ format?: string; source?: unknown }>

function isFile(url: URL): boolean {
  try {
    return statSync(fileURLToPath(url)).isFile()
  } catch {
    return false
  }
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: NextResolve
): Promise<{ url: string; format?: string; shortCircuit?: boolean }> {
  if (CORTEX_SPECIFIERS.has(specifier)) return { url: CORTEX_URL, shortCircuit: true }
  try {
    return await nextResolve(specifier, context)
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:')
    if (!relative || !context.parentURL) throw error
    for (const suffix of EXTENSIONS) {
      const candidate = new URL(specifier + suffix, context.parentURL)
      if (isFile(candidate)) return { url: candidate.href, shortCircuit: true }
    }
    throw error
  }
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<{ format?: string; source?: unknown; shortCircuit?: boolean }> {
  if (url === CORTEX_URL) {
    const names = exportNames.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name))
    return {
      format: 'module',
      shortCircuit: true,
      source: `const api = globalThis[Symbol.for('cortex.api')];\nif (!api) throw new Error("'cortex' can only be imported inside the Cortex runtime");\nexport const { ${names.join(', ')} } = api;\nexport default api;\n`
    }
  }
  if (TYPESCRIPT.test(new URL(url).pathname) && url.startsWith('file:')) {
    const path = fileURLToPath(url)
    if (!existsSync(path)) return nextLoad(url, context)
    const code = readFileSync(path, 'utf8')
    try {
      const out = transform(code, { transforms: ['typescript'], filePath: path, disableESTransforms: true })
      return { format: 'module', source: out.code, shortCircuit: true }
    } catch (error) {
      const { loc, message } = error as { loc?: { line: number; column: number }; message: string }
      // Name the file, line and column, with the line and a caret: what a syntax error should say.
      const line = loc?.line ?? 1
      const column = Math.max(0, (loc?.column ?? 1) - 1)
      const text = code.split('\n')[line - 1] ?? ''
      const reason = message.replace(/^Error transforming .*?: /, '').replace(/\s*\(\d+:\d+\)$/, '')
      throw new SyntaxError(`${path}:${line}:${column + 1}: ${reason}\n${text}\n${' '.repeat(column)}^`, { cause: error })
    }
  }
  return nextLoad(url, context)
}
