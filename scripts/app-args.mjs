// How `cortex` arguments become the app's launch: which command, its own options, and the graph
// files the runtime loads at startup (CORTEX_LOAD). Kept apart from bin/cortex.mjs so it is tested
// without starting anything (test/lint/app-args.test.ts).
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

const GRAPH_FILE = /\.(ts|mts|js|mjs)$/i

/**
 * @param {string[]} argv the arguments after `cortex`
 * @param {{ cwd: string, env: Record<string, string | undefined>, example: string, exists?: (path: string) => boolean }} context
 * @returns {{ command: string, args: string[], load: string, error?: string }}
 *   `args`: the command's own options; `load`: CORTEX_LOAD for the app (comma-separated absolute paths)
 */
export function appLaunch(argv, { cwd, env, example, exists = existsSync }) {
  // `cortex path/to/graph.ts` is `cortex start path/to/graph.ts`; nothing, or options only, is the terminal REPL.
  const [command, ...rest] = argv.length === 0 || argv[0].startsWith('-') ? ['repl', ...argv] : GRAPH_FILE.test(argv[0]) ? ['start', ...argv] : argv
  if (command !== 'start' && command !== 'web') return { command, args: rest, load: env.CORTEX_LOAD ?? '' }
  const files = []
  const args = []
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]
    // An option's value (`--port 8080`) is not a file.
    if (arg.startsWith('-')) {
      args.push(arg)
      if ((arg === '--port' || arg === '--host') && i + 1 < rest.length) args.push(rest[++i])
    } else if (GRAPH_FILE.test(arg)) files.push(resolve(cwd, arg))
    else return { command, args, load: '', error: `'${arg}' is not a graph file (.ts, .mts, .js or .mjs)` }
  }
  const missing = files.find((file) => !exists(file))
  if (missing) return { command, args, load: '', error: `no such file: ${missing}` }
  const noExample = args.includes('--no-example')
  const load = files.length ? files.join(',') : (env.CORTEX_LOAD ?? (exists(example) && !noExample ? example : ''))
  return { command, args: args.filter((arg) => arg !== '--no-example'), load }
}
