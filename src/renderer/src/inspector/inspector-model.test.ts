import { describe, expect, it } from 'vitest'
import type { InspectEntry, InspectPage } from '../../../common/inspect-contract'
import {
  applyError,
  applyPage,
  BINDINGS,
  entryAt,
  expressionFor,
  initialState,
  keyAction,
  moreRequest,
  refreshRequests,
  RUNS,
  setExpanded,
  visibleRows,
  type Path,
  type Row,
  type TreeState
} from './inspector-model'

const value = (name: string, preview = '1', type = 'number'): InspectEntry => ({ name, type, preview, expandable: false })
const object = (name: string, type = 'Object', preview = '{…}'): InspectEntry => ({ name, type, preview, expandable: true })
function page(path: Path, entries: InspectEntry[], options: { offset?: number; total?: number; note?: string } = {}): InspectPage {
  const offset = options.offset ?? 0
  return { path: [...path], entries, offset, total: options.total ?? offset + entries.length, ...(options.note ? { note: options.note } : {}) }
}
let seq = 0
const apply = (state: TreeState, ...pages: InspectPage[]) => pages.reduce((s, p) => applyPage(s, p, ++seq), state)
/** The rows as the user reads them: indented, a caret on what opens, the badge, the preview. */
function outline(state: TreeState): string[] {
  return visibleRows(state).map((row) => {
    const indent = '  '.repeat(row.depth)
    if (row.kind === 'section') return `${row.expanded ? '▾' : '▸'} ${row.label}${row.count === undefined ? '' : ` (${row.count})`}`
    if (row.kind === 'note') return `${indent}(${row.text})`
    if (row.kind === 'more') return `${indent}show more (${row.left} left)`
    const caret = row.entry.expandable ? (row.expanded ? '▾ ' : '▸ ') : ''
    return `${indent}${caret}${row.entry.name}${row.entry.origin ? ` [${row.entry.origin}]` : ''}: ${row.entry.type} ${row.entry.preview}`
  })
}
const open = (state: TreeState, path: Path, ...pages: InspectPage[]) => apply(setExpanded(state, path, true), ...pages)

describe('the tree', () => {
  it('starts with both sections loading, then shows the bindings and says when there are no runs', () => {
    let state = initialState()
    expect(outline(state)).toEqual(['▾ Bindings', '  (loading…)', '▾ Graph runs', '  (loading…)'])
    state = apply(state, page(BINDINGS, [value('a'), object('outfit')]), page(RUNS, []))
    expect(outline(state)).toEqual(['▾ Bindings (2)', '  a: number 1', '  ▸ outfit: Object {…}', '▾ Graph runs (0)', '  (no graph runs yet)'])
  })

  it('expands lazily, with a loading row until the page comes, and pages with "show more"', () => {
    let state = apply(initialState(), page(BINDINGS, [object('list', 'Array', '[ 0, 1, … ]')]), page(RUNS, []))
    state = setExpanded(state, ['list'], true)
    expect(outline(state).slice(1, 3)).toEqual(['  ▾ list: Array [ 0, 1, … ]', '    (loading…)'])
    const first = Array.from({ length: 100 }, (_, i) => value(String(i), String(i)))
    state = apply(state, page(['list'], first, { total: 250 }))
    expect(outline(state).slice(2, 4)).toEqual(['    0: number 0', '    1: number 1'])
    expect(outline(state)[102]).toBe('    show more (150 left)')
    expect(moreRequest(state, ['list'])).toEqual({ path: ['list'], offset: 100, limit: 100 })
    state = apply(state, page(['list'], [value('100', '100')], { offset: 100, total: 250 }))
    expect(outline(state).slice(101, 104)).toEqual(['    99: number 99', '    100: number 100', '    show more (149 left)'])
    // A page that does not continue what is shown (a refresh came in between) is not spliced in.
    expect(apply(state, page(['list'], [value('x')], { offset: 50, total: 250 }))).toBe(state)
  })

  it('keeps the runs section closed once there are many runs, unless the user opens it', () => {
    const runs = (n: number) => Array.from({ length: n }, (_, i) => object(`g${i + 1}`, 'done', 'Start · done · ended at End'))
    let state = apply(initialState(), page(BINDINGS, []), page(RUNS, runs(5)))
    expect(outline(state).filter((l) => l.startsWith('  ▸ g'))).toHaveLength(5)
    state = apply(state, page(RUNS, runs(6)))
    expect(outline(state).at(-1)).toBe('▸ Graph runs (6)')
    state = setExpanded(state, RUNS, true)
    expect(outline(state).at(-1)).toBe('  ▸ g6: done Start · done · ended at End')
    state = setExpanded(apply(state, page(RUNS, runs(2))), RUNS, false)
    expect(outline(state).at(-1)).toBe('▸ Graph runs (2)')
  })

  it("shows where a node instance's fields came from", () => {
    let state = apply(initialState(), page(BINDINGS, []), page(RUNS, [object('g1', 'done')]))
    state = open(state, ['#runs', 'g1'], page(['#runs', 'g1'], [object('0', 'RecommendOOTD')]))
    state = open(
      state,
      ['#runs', 'g1', '0'],
      page(
        ['#runs', 'g1', '0'],
        [
          { ...object('wardrobe', 'GenerateWardrobe'), origin: 'node-dep' },
          { ...value('top', "'tee'", 'string'), origin: 'LM' }
        ]
      )
    )
    expect(outline(state).slice(-3)).toEqual([
      '    ▾ 0: RecommendOOTD {…}',
      '      ▸ wardrobe [node-dep]: GenerateWardrobe {…}',
      "      top [LM]: string 'tee'"
    ])
  })
})

describe('refreshing', () => {
  function expandedTree() {
    let state = apply(initialState(), page(BINDINGS, [value('a'), object('outfit'), object('other')]), page(RUNS, []))
    state = open(state, ['outfit'], page(['outfit'], [object('wardrobe'), value('name', "'Dzara'", 'string')]))
    state = open(state, ['outfit', 'wardrobe'], page(['outfit', 'wardrobe'], [value('tops', '3')]))
    return state
  }

  it('asks again for the sections and every expanded path on screen, as many entries as are shown', () => {
    let state = expandedTree()
    expect(refreshRequests(state)).toEqual([
      { path: [], offset: 0, limit: 100 },
      { path: ['#runs'], offset: 0, limit: 100 },
      { path: ['outfit'], offset: 0, limit: 100 },
      { path: ['outfit', 'wardrobe'], offset: 0, limit: 100 }
    ])
    // Closing outfit hides wardrobe (its expansion is kept for later) and stops asking for both.
    state = setExpanded(state, ['outfit'], false)
    expect(refreshRequests(state).map((r) => r.path)).toEqual([[], ['#runs']])
    // Opening it again asks for it and what is open below it, and shows the old rows meanwhile.
    state = setExpanded(state, ['outfit'], true)
    expect(refreshRequests(state, ['outfit']).map((r) => r.path)).toEqual([['outfit'], ['outfit', 'wardrobe']])
    expect(outline(state)).toContain('      tops: number 3')
    // What "show more" revealed stays revealed.
    state = open(
      state,
      ['other'],
      page(
        ['other'],
        Array.from({ length: 100 }, (_, i) => value(`k${i}`)),
        { total: 300 }
      )
    )
    state = apply(
      state,
      page(
        ['other'],
        Array.from({ length: 100 }, (_, i) => value(`k${100 + i}`)),
        { offset: 100, total: 300 }
      )
    )
    expect(refreshRequests(state, ['other'])).toEqual([{ path: ['other'], offset: 0, limit: 200 }])
  })

  it('updates rows in place: unchanged entries stay the same objects, expansion stays', () => {
    let state = expandedTree()
    const before = visibleRows(state)
    state = apply(
      state,
      page(BINDINGS, [value('a', '2'), object('outfit'), object('other')]),
      page(['outfit'], [object('wardrobe'), value('name', "'Dzara'", 'string')])
    )
    const after = visibleRows(state)
    const entryOf = (rows: Row[], name: string) => rows.find((r) => r.kind === 'entry' && r.entry.name === name)
    expect(entryOf(after, 'outfit')).toMatchObject({ expanded: true })
    expect((entryOf(after, 'outfit') as { entry: unknown }).entry).toBe((entryOf(before, 'outfit') as { entry: unknown }).entry)
    expect((entryOf(after, 'a') as { entry: InspectEntry }).entry.preview).toBe('2')
    expect(outline(state)).toEqual(outline(expandedTree()).map((line) => line.replace('a: number 1', 'a: number 2')))
  })

  it('forgets the expansion of what is gone, with everything below it', () => {
    let state = expandedTree()
    state = apply(state, page(BINDINGS, [value('a'), object('other')]))
    expect(outline(state)).toEqual(['▾ Bindings (2)', '  a: number 1', '  ▸ other: Object {…}', '▾ Graph runs (0)', '  (no graph runs yet)'])
    expect(state.expanded.has('["outfit","wardrobe"]')).toBe(false)
    expect(state.children.has('["outfit","wardrobe"]')).toBe(false)
    // Its late answer is dropped: a binding declared again with that name starts closed.
    state = apply(state, page(['outfit', 'wardrobe'], [value('tops')]), page(BINDINGS, [object('outfit')]))
    expect(outline(state).slice(0, 2)).toEqual(['▾ Bindings (1)', '  ▸ outfit: Object {…}'])
    // A value that stopped being expandable closes too.
    state = open(state, ['outfit'], page(['outfit'], []))
    state = apply(state, page(BINDINGS, [value('outfit', '3')]))
    expect(state.expanded.has('["outfit"]')).toBe(false)
  })

  it('never lets an older answer overwrite a newer one, and shows a failure as a note', () => {
    let state = expandedTree()
    state = applyPage(state, page(['outfit'], [value('new')]), 1000)
    expect(applyPage(state, page(['outfit'], [value('old')]), 999)).toBe(state)
    state = applyError(state, ['outfit'], 'not connected to the runtime', 1001)
    expect(outline(state).slice(2, 5)).toEqual(['  ▾ outfit: Object {…}', '    (not connected to the runtime)', '    new: number 1'])
  })
})

describe('keys', () => {
  const state = open(apply(initialState(), page(BINDINGS, [object('outfit'), value('a')]), page(RUNS, [])), ['outfit'], page(['outfit'], [value('x')]))
  const rows = visibleRows(state)
  const key = (path: Path) => `e${JSON.stringify(path)}`

  it('moves with Up/Down/Home/End and steps in and out with Right/Left', () => {
    expect(keyAction(rows, undefined, 'ArrowDown')).toEqual({ kind: 'select', key: 's[]' })
    expect(keyAction(rows, key(['outfit']), 'ArrowDown')).toEqual({ kind: 'select', key: key(['outfit', 'x']) })
    expect(keyAction(rows, key(['outfit']), 'ArrowUp')).toEqual({ kind: 'select', key: 's[]' })
    expect(keyAction(rows, 's[]', 'ArrowUp')).toEqual({ kind: 'select', key: 's[]' })
    expect(keyAction(rows, 's[]', 'End')).toEqual({ kind: 'select', key: rows.at(-1)!.key })
    expect(keyAction(rows, key(['outfit']), 'ArrowRight')).toEqual({ kind: 'select', key: key(['outfit', 'x']) })
    expect(keyAction(rows, key(['outfit', 'x']), 'ArrowLeft')).toEqual({ kind: 'select', key: key(['outfit']) })
    expect(keyAction(rows, key(['outfit']), 'ArrowLeft')).toEqual({ kind: 'collapse', path: ['outfit'] })
    expect(keyAction(visibleRows(setExpanded(state, ['outfit'], false)), key(['outfit']), 'ArrowRight')).toEqual({ kind: 'expand', path: ['outfit'] })
    expect(keyAction(rows, key(['a']), 'ArrowRight')).toEqual({ kind: 'none' })
    expect(keyAction(rows, key(['a']), 'Enter')).toMatchObject({ kind: 'activate', row: { path: ['a'] } })
  })
})

describe('the expression a row inserts', () => {
  const types: Record<string, string> = { '["m"]': 'Map', '["s"]': 'Set', '["#runs","g1"]': 'done', '["#runs","g2"]': 'failed', '["#runs","g3"]': 'waiting' }
  const typeAt = (path: Path) => types[JSON.stringify(path)]

  it('uses dots for identifiers and brackets for indices and other names', () => {
    expect(expressionFor(['outfit', 'wardrobe', 'tops', '2'], typeAt)).toBe('outfit.wardrobe.tops[2]')
    expect(expressionFor(['o', 'rain-gear', "it's", '01', 'class', 'café'], typeAt)).toBe("o['rain-gear']['it\\'s']['01'].class.café")
    expect(expressionFor(['odd name'], typeAt)).toBe("globalThis['odd name']")
    expect(expressionFor(['class'], typeAt)).toBe("globalThis['class']")
    expect(expressionFor(['o', 'line\nbreak'], typeAt)).toBe("o['line\\nbreak']")
    expect(expressionFor([], typeAt)).toBeUndefined()
  })

  it("reaches a Map's entries and a Set's values by iterating", () => {
    expect(expressionFor(['m', '[0]', '1'], typeAt)).toBe('[...m][0][1]')
    expect(expressionFor(['s', '[3]'], typeAt)).toBe('[...s][3]')
    expect(expressionFor(['o', '[3]'], typeAt)).toBe("o['[3]']")
  })

  it("reaches a run's steps where the engine keeps them", () => {
    expect(expressionFor(['#runs'], typeAt)).toBe('engine.runs()')
    expect(expressionFor(['#runs', 'g1'], typeAt)).toBe("engine.run('g1')")
    expect(expressionFor(['#runs', 'g1', '2', 'wardrobe', 'tops', '0'], typeAt)).toBe("engine.run('g1').result.trace[2].wardrobe.tops[0]")
    expect(expressionFor(['#runs', 'g2', '0'], typeAt)).toBe("engine.run('g2').error.trace[0]")
    expect(expressionFor(['#runs', 'g3', '1'], typeAt)).toBe("engine.run('g3').instances[1]")
  })

  it('reads the types from what the tree shows', () => {
    const state = open(apply(initialState(), page(BINDINGS, [object('m', 'Map')]), page(RUNS, [])), ['m'], page(['m'], [object('[0]', 'Array')]))
    expect(entryAt(state, ['m'])?.type).toBe('Map')
    expect(expressionFor(['m', '[0]'], (path) => entryAt(state, path)?.type)).toBe('[...m][0]')
  })
})
