import { memo, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent, type MouseEvent } from 'react'
import type { InspectEntry } from '../../../common/inspect-contract'
import type { CortexApi } from '../api/cortex-api'
import type { ReplState } from '../repl/repl-state'
import { entryAt, expressionFor, keyAction, keyOf, visibleRows, type Path, type Row } from './inspector-model'
import { InspectorStore } from './inspector-store'
import './inspector.css'

const ORIGINS: Record<NonNullable<InspectEntry['origin']>, string> = {
  LM: 'filled by the LM',
  dep: 'from a dep function',
  'node-dep': 'a node the LM filled as a dep',
  recall: 'recalled from an earlier node of the run',
  gate: 'answered at a gate'
}

/** A colour class for a preview, by what kind of value it shows. */
function previewClass(type: string): string {
  if (type === 'string') return 'v-string'
  if (type === 'number' || type === 'bigint') return 'v-number'
  if (type === 'boolean' || type === 'undefined' || type === 'null' || type === 'symbol') return 'v-keyword'
  if (type === 'function' || type === 'node' || type === 'graph') return 'v-function'
  if (type === 'getter') return 'v-getter'
  return 'v-object'
}

function sameRow(a: Row, b: Row): boolean {
  if (a.kind !== b.kind || a.key !== b.key || a.depth !== b.depth) return false
  if (a.kind === 'section' && b.kind === 'section') return a.expanded === b.expanded && a.count === b.count
  if (a.kind === 'entry' && b.kind === 'entry') return a.expanded === b.expanded && a.entry === b.entry
  if (a.kind === 'more' && b.kind === 'more') return a.left === b.left
  return a.kind === 'note' && b.kind === 'note' && a.text === b.text
}

interface RowProps {
  row: Row
  selected: boolean
  /** What clicking the row types at the prompt, if anything. */
  expression: string | undefined
  onRowClick(row: Row): void
  onToggle(path: Path): void
}

/** One line of the tree; redrawn only when what it shows changed (a refresh leaves the others alone). */
const TreeRow = memo(
  function TreeRow({ row, selected, expression, onRowClick, onToggle }: RowProps) {
    const indent = { paddingLeft: `${row.depth * 14 + 4}px` }
    const common = { 'data-key': row.key, 'aria-selected': selected, style: indent, onClick: () => onRowClick(row) }
    const selectedClass = selected ? ' selected' : ''
    if (row.kind === 'note')
      return (
        <div className="inspector-note" data-testid="inspector-note" role="none" style={indent}>
          {row.text}
        </div>
      )
    if (row.kind === 'more')
      return (
        <div className={`inspector-more${selectedClass}`} data-testid="inspector-more" role="treeitem" aria-level={row.depth + 1} {...common}>
          show more ({row.left} left)
        </div>
      )
    if (row.kind === 'section')
      return (
        <div
          className={`inspector-section${selectedClass}`}
          data-testid="inspector-section"
          data-path={keyOf(row.path)}
          role="treeitem"
          aria-level={1}
          aria-expanded={row.expanded}
          {...common}
        >
          <span className="caret">{row.expanded ? '▾' : '▸'}</span>
          {row.label}
          {row.count !== undefined && <span className="count">{row.count}</span>}
        </div>
      )
    const { entry } = row
    const toggle = (event: MouseEvent) => {
      // The caret opens and closes; the rest of the row inserts the path.
      event.stopPropagation()
      onToggle(row.path)
    }
    return (
      <div
        className={`inspector-row${selectedClass}`}
        data-testid="inspector-row"
        data-path={keyOf(row.path)}
        role="treeitem"
        aria-level={row.depth + 1}
        aria-expanded={entry.expandable ? row.expanded : undefined}
        title={expression ? `click to insert ${expression}` : undefined}
        {...common}
      >
        <span className="caret" onClick={entry.expandable ? toggle : undefined}>
          {entry.expandable ? (row.expanded ? '▾' : '▸') : ''}
        </span>
        <span className="name">{entry.name}</span>
        {entry.origin && (
          <span className={`origin origin-${entry.origin}`} data-testid="inspector-origin" title={ORIGINS[entry.origin]}>
            {entry.origin}
          </span>
        )}
        <span className="type">{entry.type}</span>
        <span className={`preview ${previewClass(entry.type)}`}>{entry.preview}</span>
      </div>
    )
  },
  (a, b) => a.selected === b.selected && a.expression === b.expression && a.onRowClick === b.onRowClick && a.onToggle === b.onToggle && sameRow(a.row, b.row)
)

/**
 * The namespace inspector: the session's bindings and graph runs as a tree (DevTools' object tree,
 * VS Code's variables view), expanded lazily a page at a time, kept up to date as the namespace
 * changes. Clicking a row (or Enter) types its path at the prompt.
 */
export function InspectorPanel({ api, state: repl }: { api: CortexApi; state: ReplState }) {
  const store = useMemo(() => new InspectorStore((path, options) => api.inspect(path, options)), [api])
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = store.onDidChange(onChange)
      return () => subscription.dispose()
    },
    [store]
  )
  const tree = useSyncExternalStore(subscribe, () => store.state)
  const connected = useSyncExternalStore(subscribe, () => store.isConnected)
  const rows = useMemo(() => visibleRows(tree), [tree])
  const [selected, setSelected] = useState<string | undefined>()
  const body = useRef<HTMLDivElement>(null)

  useEffect(() => {
    store.setConnected(api.connection.state === 'connected')
    const subscriptions = [
      api.onConnectionChange((connection) => store.setConnected(connection.state === 'connected')),
      api.onNamespaceChange(() => store.schedule()),
      // A run waiting at a gate, or going on: the runs section follows the tasks.
      api.onTaskChange(() => store.schedule())
    ]
    return () => {
      subscriptions.forEach((s) => s.dispose())
      store.dispose()
    }
  }, [api, store])

  useEffect(() => {
    if (selected) body.current?.querySelector(`[data-key="${CSS.escape(selected)}"]`)?.scrollIntoView({ block: 'nearest' })
  }, [selected])

  const expression = useCallback((path: Path) => expressionFor(path, (p) => entryAt(store.state, p)?.type), [store])

  const activate = useCallback(
    (row: Row) => {
      if (row.kind === 'section') store.toggle(row.path)
      else if (row.kind === 'more') store.showMore(row.path)
      else if (row.kind === 'entry') {
        const text = expression(row.path)
        if (text) repl.insert(text)
      }
    },
    [store, repl, expression]
  )

  const onRowClick = useCallback(
    (row: Row) => {
      setSelected(row.key)
      activate(row)
    },
    [activate]
  )
  const onToggle = useCallback((path: Path) => store.toggle(path), [store])

  const onKeyDown = (event: KeyboardEvent) => {
    const action = keyAction(rows, selected, event.key)
    if (action.kind === 'none') return
    event.preventDefault()
    if (action.kind === 'select') setSelected(action.key)
    else if (action.kind === 'expand') store.toggle(action.path, true)
    else if (action.kind === 'collapse') store.toggle(action.path, false)
    else activate(action.row)
  }

  return (
    <section className="panel inspector" data-testid="inspector">
      <header className="panel-header">Namespace</header>
      <div className="panel-body inspector-body" ref={body}>
        {!connected && (
          <div className="inspector-note inspector-offline" data-testid="inspector-offline">
            not connected to the runtime{rows.some((r) => r.kind === 'entry') ? ': showing what was last known' : ''}
          </div>
        )}
        <div className={`inspector-tree${connected ? '' : ' stale'}`} role="tree" aria-label="Namespace" tabIndex={0} onKeyDown={onKeyDown}>
          {rows.map((row) => (
            <TreeRow
              key={row.key}
              row={row}
              selected={row.key === selected}
              expression={row.kind === 'entry' ? expression(row.path) : undefined}
              onRowClick={onRowClick}
              onToggle={onToggle}
            />
          ))}
        </div>
      </div>
    </section>
  )
}
