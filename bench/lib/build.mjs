// Bundles TypeScript benchmark entries for Node with Vite (the project has no TS runner): one ES
// module per entry, dependencies left in node_modules. The bundles go to node_modules/.cache/cortex-bench,
// where git, ESLint and Prettier already look away and bare imports still resolve to node_modules.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'vite'

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '../..')
export const outDir = join(projectRoot, 'node_modules/.cache/cortex-bench')

/**
 * Project sources keep their own `import.meta.url` once bundled, so files found relative to the
 * source (an example's fixtures) are still found from the bundle.
 */
const sourceUrls = {
  name: 'cortex-bench-source-urls',
  enforce: 'pre',
  transform(code, id) {
    if (!id.startsWith(projectRoot) || id.includes('/node_modules/') || !code.includes('import.meta.url')) return null
    return { code: code.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(id).href)), map: null }
  }
}

/** Builds `entries` ({ name: path relative to the project root }) into <outDir>/<name>.mjs; returns the paths. */
export async function buildEntries(entries) {
  for (const [name, path] of Object.entries(entries)) if (!existsSync(join(projectRoot, path))) throw new Error(`bench entry ${name}: ${path} does not exist`)
  await build({
    configFile: false,
    root: projectRoot,
    logLevel: 'warn',
    publicDir: false,
    plugins: [sourceUrls],
    resolve: { alias: { cortex: join(projectRoot, 'src/runtime/api.ts') } },
    build: {
      ssr: true,
      target: 'node20.19',
      outDir,
      emptyOutDir: true,
      minify: false,
      sourcemap: true,
      rolldownOptions: {
        input: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, join(projectRoot, path)])),
        output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' }
      }
    }
  })
  return Object.fromEntries(Object.keys(entries).map((name) => [name, join(outDir, `${name}.mjs`)]))
}
