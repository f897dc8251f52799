import type { InspectEntry, InspectPage } from '../../../common/inspect-contract'

/**
 * The inspector's tree, as plain data and pure functions: which paths are expanded, what is loaded
 * under each (page by page), how a refresh merges in, which rows are on screen, what the keys do,
 * and the JS expression a row stands for. The panel (InspectorPanel.tsx) only asks and draws.
 */

export type Path = readonly string[]

/** The runtime's virtual root of the graph runs (see InspectPage.path in inspect-contract.ts). */
export const RUNS_ROOT = '#runs'
/** The two sections: the user's bindings, and the graph runs. */
export const BINDINGS: Path = []
export const RUNS: Path = [RUNS_ROOT]
export const PAGE_SIZE = 100
/** The runs section starts open while there are at most this many runs. */
export const RUNS_OPEN_UP_TO = 5
/** The contract's largest page: a refresh asks for at most this many of what was shown. */
const MAX_LIMIT = 1000

export function keyOf(path: Path): string {
  return JSON.stringify(path)
}

export function isRoot(path: Path): boolean {
  return path.length === 0 || (path.length === 1 && path[0] === RUNS_ROOT)
}

/** The path a row sits under: null for the two sections. */
export function parentOf(path: Path): Path | null {
  return isRoot(path) ? null : path.slice(0, -1)
}

export interface Children {
  readonly entries: readonly InspectEntry[]
  readonly total: number
  readonly note?: string
  /** The request that brought them: an older answer never overwrites a newer one. */
  readonly seq: number
}

export interface TreeState {
  readonly expanded: ReadonlySet<string>
  /** The runs section, once the user opened or closed it; until then it follows the number of runs. */
  readonly runsOpen?: boolean
  readonly children: ReadonlyMap<string, Children>
  /** Paths whose first page is on its way. */
  readonly loading: ReadonlySet<string>
}

export function initialState(): TreeState {
  return { expanded: new Set([keyOf(BINDINGS)]), children: new Map(), loading: new Set([keyOf(BINDINGS), keyOf(RUNS)]) }
}

export function isExpanded(state: TreeState, path: Path): boolean {
  if (path.length === 1 && path[0] === RUNS_ROOT) return state.runsOpen ?? (state.children.get(keyOf(RUNS))?.total ?? 0) <= RUNS_OPEN_UP_TO
  return state.expanded.has(keyOf(path))
}

/** Opens or closes `path`. Its descendants keep their own expansion, as in DevTools. */
export function setExpanded(state: TreeState, path: Path, open: boolean): TreeState {
  if (path.length === 1 && path[0] === RUNS_ROOT) return { ...state, runsOpen: open }
  const expanded = new Set(state.expanded)
  if (open) expanded.add(keyOf(path))
  else expanded.delete(keyOf(path))
  const loading = new Set(state.loading)
  if (open && !state.children.has(keyOf(path))) loading.add(keyOf(path))
  return { ...state, expanded, loading }
}

/** Whether `path` is on screen: each path above it is expanded. */
function isShown(state: TreeState, path: Path): boolean {
  for (let parent = parentOf(path); parent; parent = parentOf(parent)) if (!isExpanded(state, parent)) return false
  return true
}

export interface PageRequest {
  readonly path: Path
  readonly offset: number
  readonly limit: number
}

/**
 * What to ask for to bring the screen up to date: the two sections (their counts show even when
 * closed) and every expanded path on screen, each with as many entries as are shown now (so a
 * "show more" stays shown). With `under`, only that path and the expanded paths below it.
 */
export function refreshRequests(state: TreeState, under?: Path): PageRequest[] {
  const below = (path: Path) => {
    for (let p = parentOf(path); p; p = parentOf(p)) if (keyOf(p) === keyOf(under!)) return true
    return false
  }
  const paths = under ? [under] : [BINDINGS, RUNS]
  for (const key of state.expanded) {
    const path = JSON.parse(key) as string[]
    if (isRoot(path) || (under && !below(path))) continue
    if (isShown(state, path)) paths.push(path)
  }
  return paths
    .sort((a, b) => a.length - b.length)
    .map((path) => ({ path, offset: 0, limit: Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, state.children.get(keyOf(path))?.entries.length ?? 0)) }))
}

/** The next page under `parent` ("show more"). */
export function moreRequest(state: TreeState, parent: Path): PageRequest {
  return { path: parent, offset: state.children.get(keyOf(parent))?.entries.length ?? 0, limit: PAGE_SIZE }
}

function sameEntry(a: InspectEntry, b: InspectEntry): boolean {
  return a.name === b.name && a.type === b.type && a.preview === b.preview && a.expandable === b.expandable && a.origin === b.origin
}

/**
 * Merges an answer in. A first page or a refresh (offset 0) replaces what was there, keeping the
 * entry objects that did not change (their rows are not redrawn) and forgetting the expansion of
 * entries that are gone or no longer expandable; a later page is appended. An answer older than
 * what is there, or for a path no longer expanded, is dropped.
 */
export function applyPage(state: TreeState, page: InspectPage, seq: number): TreeState {
  const key = keyOf(page.path)
  const old = state.children.get(key)
  if (old && old.seq > seq) return state
  if (!isRoot(page.path) && !state.expanded.has(key)) return state
  let entries: readonly InspectEntry[]
  if (page.offset === 0) {
    const before = new Map(old?.entries.map((e) => [e.name, e]))
    entries = page.entries.map((e) => {
      const kept = before.get(e.name)
      return kept && sameEntry(kept, e) ? kept : e
    })
  } else {
    // A page that does not continue what is shown (a refresh came in between) waits for the next one.
    if (!old || old.entries.length !== page.offset) return state
    entries = [...old.entries, ...page.entries]
  }
  const children = new Map(state.children)
  children.set(key, { entries, total: page.total, seq, ...(page.note ? { note: page.note } : {}) })
  const loading = new Set(state.loading)
  loading.delete(key)
  let expanded = state.expanded
  if (page.offset === 0) {
    const open = new Set(entries.filter((e) => e.expandable).map((e) => keyOf([...page.path, e.name])))
    const gone = [...state.expanded].filter((k) => {
      const path = JSON.parse(k) as string[]
      const parent = parentOf(path)
      return parent !== null && keyOf(parent) === key && !open.has(k)
    })
    if (gone.length) {
      const prefixes = gone.map((k) => k.slice(0, -1))
      const under = (k: string) => gone.includes(k) || prefixes.some((p) => k.startsWith(`${p},`))
      expanded = new Set([...state.expanded].filter((k) => !under(k)))
      for (const k of [...children.keys()]) if (under(k)) children.delete(k)
      for (const k of [...loading]) if (under(k)) loading.delete(k)
    }
  }
  return { ...state, expanded, children, loading }
}

/** A request that failed: a quiet note on that path, keeping what was shown. */
export function applyError(state: TreeState, path: Path, message: string, seq: number): TreeState {
  const key = keyOf(path)
  const old = state.children.get(key)
  if (old && old.seq > seq) return state
  const children = new Map(state.children)
  children.set(key, { entries: old?.entries ?? [], total: old?.total ?? 0, note: message, seq })
  const loading = new Set(state.loading)
  loading.delete(key)
  return { ...state, children, loading }
}

export type Row =
  | { kind: 'section'; key: string; path: Path; depth: 0; label: string; count: number | undefined; expanded: boolean }
  | { kind: 'entry'; key: string; path: Path; depth: number; entry: InspectEntry; expanded: boolean }
  | { kind: 'more'; key: string; path: Path; depth: number; left: number }
  | { kind: 'note'; key: string; path: Path; depth: number; text: string }

const EMPTY: Record<string, string> = {
  [keyOf(BINDINGS)]: 'no bindings yet: declare one at the prompt (const x = 1)',
  [keyOf(RUNS)]: 'no graph runs yet'
}

/** The rows on screen, in order. */
export function visibleRows(state: TreeState): Row[] {
  const rows: Row[] = []
  const childRows = (path: Path, depth: number) => {
    const key = keyOf(path)
    const loaded = state.children.get(key)
    if (!loaded) {
      if (state.loading.has(key)) rows.push({ kind: 'note', key: `n${key}`, path, depth, text: 'loading…' })
      return
    }
    if (loaded.note) rows.push({ kind: 'note', key: `n${key}`, path, depth, text: loaded.note })
    else if (loaded.total === 0 && EMPTY[key]) rows.push({ kind: 'note', key: `n${key}`, path, depth, text: EMPTY[key] })
    for (const entry of loaded.entries) {
      const child = [...path, entry.name]
      const expanded = entry.expandable && isExpanded(state, child)
      rows.push({ kind: 'entry', key: `e${keyOf(child)}`, path: child, depth, entry, expanded })
      if (expanded) childRows(child, depth + 1)
    }
    if (loaded.entries.length < loaded.total) rows.push({ kind: 'more', key: `m${key}`, path, depth, left: loaded.total - loaded.entries.length })
  }
  for (const [path, label] of [
    [BINDINGS, 'Bindings'],
    [RUNS, 'Graph runs']
  ] as const) {
    const expanded = isExpanded(state, path)
    rows.push({ kind: 'section', key: `s${keyOf(path)}`, path, depth: 0, label, count: state.children.get(keyOf(path))?.total, expanded })
    if (expanded) childRows(path, 1)
  }
  return rows
}

/** The entry shown at `path`, if its parent's page is loaded. */
export function entryAt(state: TreeState, path: Path): InspectEntry | undefined {
  const parent = parentOf(path)
  return parent ? state.children.get(keyOf(parent))?.entries.find((e) => e.name === path.at(-1)) : undefined
}

export type KeyAction =
  { kind: 'select'; key: string } | { kind: 'expand'; path: Path } | { kind: 'collapse'; path: Path } | { kind: 'activate'; row: Row } | { kind: 'none' }

/**
 * What a key does in the tree (as in VS Code's and DevTools' trees): Up/Down move, Home/End jump,
 * Right opens a closed row or steps into an open one, Left closes an open row or steps out to its
 * parent, Enter activates (inserts the path, opens a section, shows more).
 */
export function keyAction(rows: readonly Row[], selected: string | undefined, key: string): KeyAction {
  if (rows.length === 0) return { kind: 'none' }
  const index = rows.findIndex((r) => r.key === selected)
  const row = rows[index]
  const select = (i: number): KeyAction => ({ kind: 'select', key: rows[Math.max(0, Math.min(rows.length - 1, i))]!.key })
  if (!row)
    return key === 'ArrowUp' || key === 'End' ? select(rows.length - 1) : ['ArrowDown', 'Home', 'ArrowRight'].includes(key) ? select(0) : { kind: 'none' }
  const openable = row.kind === 'section' || (row.kind === 'entry' && row.entry.expandable)
  const open = (row.kind === 'section' || row.kind === 'entry') && row.expanded
  switch (key) {
    case 'ArrowUp':
      return select(index - 1)
    case 'ArrowDown':
      return select(index + 1)
    case 'Home':
      return select(0)
    case 'End':
      return select(rows.length - 1)
    case 'ArrowRight':
      if (openable && !open) return { kind: 'expand', path: row.path }
      return open && rows[index + 1] && rows[index + 1]!.depth > row.depth ? select(index + 1) : { kind: 'none' }
    case 'ArrowLeft': {
      if (openable && open) return { kind: 'collapse', path: row.path }
      for (let i = index - 1; i >= 0; i--) if (rows[i]!.depth < row.depth) return select(i)
      return { kind: 'none' }
    }
    case 'Enter':
      return { kind: 'activate', row }
    default:
      return { kind: 'none' }
  }
}

const RESERVED = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof let new null return static super switch this throw true try typeof var void while with yield implements interface package private protected public'
  ).split(' ')
)
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u

/** A JS string literal in single quotes. */
function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`
}

/** `base` followed by the member `name` of a value of type `parentType`. */
function member(base: string, name: string, parentType: string | undefined): string {
  const iterated = /^\[(\d+)\]$/.exec(name)
  // The runtime names a Map's entries and a Set's values [0], [1]…: they are reached by iterating.
  if (iterated && parentType && /(Map|Set)$/.test(parentType)) return `[...${base}][${iterated[1]}]`
  if (/^(0|[1-9]\d*)$/.test(name)) return `${base}[${name}]`
  return IDENTIFIER.test(name) ? `${base}.${name}` : `${base}[${quote(name)}]`
}

/**
 * The JS expression that evaluates to the value at `path` in the REPL, what clicking its row types
 * at the prompt: `outfit.wardrobe.tops[2]`, `globalThis['odd name']`, or for a graph run
 * `engine.run('g1').result.trace[2].top` (a failed run's steps are on its error, a running run's
 * finished steps on its record's instances). `typeAt` tells the type shown for a path (Maps and Sets, a run's state).
 */
export function expressionFor(path: Path, typeAt: (path: Path) => string | undefined): string | undefined {
  if (path.length === 0) return undefined
  let expression: string
  let start: number
  if (path[0] === RUNS_ROOT) {
    if (path.length === 1) return 'engine.runs()'
    expression = `engine.run(${quote(path[1]!)})`
    if (path.length === 2) return expression
    const state = typeAt(path.slice(0, 2))
    expression += state === 'done' ? '.result.trace' : state === 'failed' || state === 'cancelled' ? '.error.trace' : '.instances'
    expression = member(expression, path[2]!, 'Array')
    start = 3
  } else {
    const name = path[0]!
    expression = IDENTIFIER.test(name) && !RESERVED.has(name) ? name : `globalThis[${quote(name)}]`
    start = 1
  }
  for (let i = start; i < path.length; i++) expression = member(expression, path[i]!, typeAt(path.slice(0, i)))
  return expression
}
