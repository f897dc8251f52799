import { resolve } from 'node:path'

const GRAPH_FILE = /\.(ts|mts|js|mjs)$/i

/**
 * The graph files the runtime loads at startup (CORTEX_LOAD), for the installed app: files given
 * on the command line (`Cortex path/to/graph.ts`, or a file opened with the app), else what
 * CORTEX_LOAD already says (`cortex start` sets it), else, packaged, the bundled OOTD example
 * (the first run shows it with a line saying how to run it). Undefined: leave CORTEX_LOAD alone.
 */
export function startupLoad(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  options: { packaged: boolean; example: string; cwd: string }
): string | undefined {
  const files = argv.slice(1).filter((arg) => !arg.startsWith('-') && GRAPH_FILE.test(arg))
  if (files.length) return files.map((file) => resolve(options.cwd, file)).join(',')
  if (env['CORTEX_LOAD'] !== undefined) return undefined
  return options.packaged ? options.example : undefined
}
