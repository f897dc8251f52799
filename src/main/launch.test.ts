import { describe, expect, it } from 'vitest'
import { startupLoad } from './launch'

const options = { packaged: true, example: '/opt/Cortex/resources/app.asar/examples/ootd/index.ts', cwd: '/home/u' }

describe('startup graph files of the installed app', () => {
  it('`Cortex path/to/graph.ts` loads that file (relative to where it was run), not the example', () => {
    expect(startupLoad(['/opt/Cortex/cortex', 'graphs/a.ts', '--no-sandbox', '/abs/b.mjs'], {}, options)).toBe('/home/u/graphs/a.ts,/abs/b.mjs')
  })

  it('with no file, the packaged app loads the bundled example; CORTEX_LOAD (cortex start) wins', () => {
    expect(startupLoad(['/opt/Cortex/cortex'], {}, options)).toBe(options.example)
    expect(startupLoad(['/opt/Cortex/cortex'], { CORTEX_LOAD: '' }, options)).toBeUndefined()
  })

  it('in development (electron .) it leaves CORTEX_LOAD to cortex start', () => {
    expect(startupLoad(['/x/electron', '/work/cortex'], {}, { ...options, packaged: false })).toBeUndefined()
  })
})
