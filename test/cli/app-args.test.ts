import { describe, expect, it } from 'vitest'
import { appLaunch } from '../../scripts/app-args.mjs'

const EXAMPLE = '/app/examples/ootd/index.ts'
const context = (files: string[] = [EXAMPLE], env: Record<string, string | undefined> = {}) => ({
  cwd: '/home/u/project',
  env,
  example: EXAMPLE,
  exists: (path: string) => files.includes(path)
})

describe('cortex arguments → the app launch', () => {
  it('`cortex path/to/graph.ts` starts the app with that file loaded (resolved against where cortex ran)', () => {
    expect(appLaunch(['graphs/review.ts'], context([EXAMPLE, '/home/u/project/graphs/review.ts']))).toEqual({
      command: 'start',
      args: [],
      load: '/home/u/project/graphs/review.ts'
    })
  })

  it('start and web take several files, and keep their options (an option value is not a file)', () => {
    const files = ['/home/u/project/a.ts', '/abs/b.mjs']
    expect(appLaunch(['web', 'a.ts', '--port', '8080', '/abs/b.mjs', '--no-build'], context(files))).toEqual({
      command: 'web',
      args: ['--port', '8080', '--no-build'],
      load: '/home/u/project/a.ts,/abs/b.mjs'
    })
  })

  it('without files the app loads the example (npm start), unless --no-example or CORTEX_LOAD says otherwise', () => {
    expect(appLaunch(['start'], context()).load).toBe(EXAMPLE)
    expect(appLaunch(['start', '--no-example'], context())).toEqual({ command: 'start', args: [], load: '' })
    expect(appLaunch(['start'], context([EXAMPLE], { CORTEX_LOAD: '/x.ts' })).load).toBe('/x.ts')
  })

  it('a missing file or a file that is not a graph is an error before anything starts', () => {
    expect(appLaunch(['missing.ts'], context()).error).toBe('no such file: /home/u/project/missing.ts')
    expect(appLaunch(['start', 'notes.txt'], context()).error).toBe("'notes.txt' is not a graph file (.ts, .mts, .js or .mjs)")
  })

  it('nothing, or options only, is still the terminal REPL', () => {
    expect(appLaunch([], context()).command).toBe('repl')
    expect(appLaunch(['--script', 'x.js'], context())).toMatchObject({ command: 'repl', args: ['--script', 'x.js'] })
  })
})
