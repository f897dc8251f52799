import { types } from 'node:util'
import type vm from 'node:vm'
import type { CompletionItem, Completions, InspectEntry, InspectPage } from '../../common/inspect-contract'
import type { PendingGate, RunRecord } from '../engine/graph-engine'
import { isNodeDef, nodeOf } from '../graph/node'
import { typeName } from './namespace'
import { preview } from './render'

/**
 * Looking into the namespace without running anything of the user's (pitfalls 9, 13). The rule:
 * values are read only from data properties, through property descriptors; an accessor (getter)
 * is shown as such and never called; a Proxy is never expanded or read (any read could run a
 * trap); only getOwnPropertyNames / getOwnPropertyDescriptor / getPrototypeOf are used, on objects
 * that are not Proxies, and they run no user code.
 */

const KEYWORDS = [
  'await',
  'async',
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'default',
  'delete',
  'do',
  'else',
  'export',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'let',
  'new',
  'null',
  'of',
  'return',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'undefined',
  'var',
  'void',
  'while',
  'yield'
]
const COMPLETION_BUDGET_MS = 100
const MAX_ITEMS = 200

type Found = { ok: true; value: unknown } | { ok: false; note: string }

/** A child by name, reading only data properties; Map/Set children are `[i]`. */
function child(parent: unknown, name: string): Found {
  if (parent === null || (typeof parent !== 'object' && typeof parent !== 'function')) return { ok: false, note: `${typeName(parent)} has no children` }
  if (types.isProxy(parent)) return { ok: false, note: 'a Proxy is not expanded: reading it could run its traps' }
  const index = /^\[(\d+)\]$/.exec(name)
  // types.isMap/isSet, not instanceof: the namespace's Maps come from its own realm.
  if (index && (types.isMap(parent) || types.isSet(parent))) {
    const entry = [...(types.isMap(parent) ? (parent as Map<unknown, unknown>).entries() : (parent as Set<unknown>).values())][Number(index[1])]
    return entry === undefined ? { ok: false, note: `no entry ${name}` } : { ok: true, value: entry }
  }
  const descriptor = Object.getOwnPropertyDescriptor(parent, name)
  if (!descriptor) return { ok: false, note: `no property ${name}` }
  if (!('value' in descriptor)) return { ok: false, note: `${name} is a getter: it is not called` }
  return { ok: true, value: descriptor.value }
}

function expandable(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && !types.isProxy(value)
}

function entry(name: string, value: unknown, origin?: InspectEntry['origin']): InspectEntry {
  return { name, type: typeName(value), preview: preview(value, 80), expandable: expandable(value), ...(origin ? { origin } : {}) }
}

const ORIGIN = { plain: 'LM', dep: 'dep', 'node-dep': 'node-dep', recall: 'recall', gate: 'gate' } as const

function childrenOf(value: unknown): InspectEntry[] {
  if (types.isMap(value)) return [...(value as Map<unknown, unknown>).entries()].map(([k, v], i) => entry(`[${i}]`, [k, v]))
  if (types.isSet(value)) return [...(value as Set<unknown>).values()].map((v, i) => entry(`[${i}]`, v))
  const node = nodeOf(value)
  const origins = node ? new Map(node.fields.map((f) => [f.name, ORIGIN[f.kind]])) : undefined
  // A node's fields in the order its definition declares them.
  const declared = node ? node.fields.map((f) => f.name) : []
  const names = Object.getOwnPropertyNames(value).sort((a, b) => (declared.indexOf(a) + 1 || Infinity) - (declared.indexOf(b) + 1 || Infinity))
  return names.map((name) => {
    const descriptor = Object.getOwnPropertyDescriptor(value, name)!
    if (!('value' in descriptor)) return { name, type: 'getter', preview: '[getter]', expandable: false }
    return entry(name, descriptor.value, origins?.get(name))
  })
}

/** The first path segment of the graph runs' root (see inspect-contract.ts): no binding can be called that. */
export const RUNS_ROOT = '#runs'

/** What the inspector reads of the graph engine (the GraphEngine itself). */
export interface RunSource {
  runs(): readonly RunRecord[]
  pendingGates(): readonly PendingGate[]
}

/** Reads `parent[name]` for each name in turn, through data properties only. */
function walk(start: unknown, names: readonly string[]): Found {
  let found: Found = { ok: true, value: start }
  for (const name of names) {
    if (!found.ok) break
    found = child(found.value, name)
  }
  return found
}

/**
 * A run's steps, as node instances: once it has ended, the result's trace (or the failed run's
 * partial trace on its GraphError); while it runs, the instances of the steps it has finished.
 */
function stepsOf(run: RunRecord): readonly unknown[] {
  if (run.state === 'running' || run.state === 'waiting') return run.instances
  const trace = walk(run, run.state === 'done' ? ['result', 'trace'] : ['error', 'trace'])
  return trace.ok && Array.isArray(trace.value) && !types.isProxy(trace.value) ? (trace.value as unknown[]) : []
}

function nodeName(instance: unknown): string | undefined {
  return types.isProxy(instance) ? undefined : nodeOf(instance)?.name
}

/** Where a run is: the node of its gate, the last step it finished, or where it ended. */
function runPreview(run: RunRecord, gates: readonly PendingGate[]): string {
  const last = nodeName(stepsOf(run).at(-1))
  const failedAt = walk(run, ['error', 'node'])
  let where: string
  if (run.state === 'waiting') where = `gate at ${gates.find((g) => g.runId === run.id)?.node ?? last ?? '?'}`
  else if (run.state === 'running') where = last ? `after ${last}` : 'starting'
  else if (run.state === 'done') where = `ended at ${last ?? '?'}`
  else where = `at ${failedAt.ok && typeof failedAt.value === 'string' ? failedAt.value : (last ?? 'the start')}`
  return `${run.graph} · ${run.state} · ${where}`
}

function page(path: readonly string[], all: InspectEntry[], offset: number, limit: number, note?: string): InspectPage {
  return { path: [...path], entries: all.slice(offset, offset + limit), offset, total: all.length, ...(note ? { note } : {}) }
}

/** The virtual root of graph runs, its first two levels: the runs, then a run's steps. */
function inspectRuns(source: RunSource | undefined, path: readonly string[], offset: number, limit: number): InspectPage {
  const runs = [...(source?.runs() ?? [])].sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)))
  if (path.length === 1) {
    const gates = source?.pendingGates() ?? []
    // The state as the type: it also tells where the run's steps live (result, error, or nodes).
    return page(
      path,
      runs.map((run) => ({ name: run.id, type: run.state, preview: runPreview(run, gates), expandable: true })),
      offset,
      limit
    )
  }
  const run = runs.find((r) => r.id === path[1])
  if (!run) return page(path, [], offset, limit, `no run ${path[1]} (the engine keeps the last 20 that ended)`)
  const all = stepsOf(run).map((instance, i) => entry(String(i), instance))
  const live = run.state === 'running' || run.state === 'waiting'
  return page(path, all, offset, limit, all.length ? undefined : live ? 'no step has finished yet' : 'the run ended before its first node')
}

/**
 * A page of the children at `path`: an empty path lists the user's bindings; a path starting with
 * {@link RUNS_ROOT} walks the graph runs of `runs` (the engine), then their node instances.
 */
export function inspectPath(context: vm.Context, userNames: () => string[], path: readonly string[], offset = 0, limit = 100, runs?: RunSource): InspectPage {
  const inRuns = path[0] === RUNS_ROOT
  if (inRuns && path.length <= 2) return inspectRuns(runs, path, offset, limit)
  if (path.length === 0) {
    const all = userNames().map((name) => {
      const descriptor = Object.getOwnPropertyDescriptor(context, name)
      return descriptor && 'value' in descriptor ? entry(name, descriptor.value) : { name, type: 'getter', preview: '[getter]', expandable: false }
    })
    return { path: [], entries: all.slice(offset, offset + limit), offset, total: all.length }
  }
  // Below a run's step: that node instance's fields, read like any other object's.
  const run = inRuns ? runs?.runs().find((r) => r.id === path[1]) : undefined
  const found: Found = !inRuns ? walk(context, path) : run ? walk(stepsOf(run), path.slice(2)) : { ok: false, note: `no run ${path[1]}` }
  if (!found.ok) return { path: [...path], entries: [], offset, total: 0, note: found.note }
  if (!expandable(found.value))
    return {
      path: [...path],
      entries: [],
      offset,
      total: 0,
      note: types.isProxy(found.value) ? 'a Proxy is not expanded: reading it could run its traps' : `${typeName(found.value)} has no children`
    }
  const all = childrenOf(found.value)
  return { path: [...path], entries: all.slice(offset, offset + limit), offset, total: all.length }
}

function kindOf(value: unknown, member: boolean): CompletionItem['kind'] {
  if (isNodeDef(value)) return 'node'
  if (typeof value === 'function') {
    if ((value as { graph?: unknown }).graph !== undefined) return 'graph'
    return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : member ? 'method' : 'function'
  }
  return member ? 'property' : 'variable'
}

/**
 * Every property name of `target` and its prototypes, but not Object.prototype's (they clutter
 * every list). That is the root of the chain, whichever realm it comes from.
 */
function propertyNames(target: object, deadline: number): { names: Map<string, unknown>; partial: boolean } {
  const names = new Map<string, unknown>()
  let current: object | null = target
  while (current && (Object.getPrototypeOf(current) !== null || current === target)) {
    if (types.isProxy(current)) break
    for (const name of Object.getOwnPropertyNames(current)) {
      if (names.has(name) || name === 'constructor') continue
      const descriptor = Object.getOwnPropertyDescriptor(current, name)!
      names.set(name, 'value' in descriptor ? descriptor.value : undefined)
      if (performance.now() > deadline) return { names, partial: true }
    }
    current = Object.getPrototypeOf(current) as object | null
  }
  return { names, partial: false }
}

const cache = new Map<string, Completions>()

/**
 * Completions at `cursor`: names of the namespace (and keywords), or, after a dot, the members of
 * the object the expression before it names. Answers within 100 ms (partial past that); cached
 * per namespace generation. Only a chain of plain names is followed (`a.b.c.`), through data
 * properties: calls, indexes and getters are never evaluated.
 */
export function complete(context: vm.Context, code: string, cursor: number, generation: number): Completions {
  const before = code.slice(0, cursor)
  const member = /((?:[A-Za-z_$][\w$]*\s*\.\s*)+)([A-Za-z_$][\w$]*)?$/.exec(before)
  const bare = /([A-Za-z_$][\w$]*)$/.exec(before)
  const prefix = member ? (member[2] ?? '') : (bare?.[1] ?? '')
  const chain = member
    ? member[1]!
        .split('.')
        .map((s) => s.trim())
        .filter(Boolean)
    : []
  const key = `${generation}\0${chain.join('.')}`
  const from = cursor - prefix.length
  let base = cache.get(key)
  if (!base) {
    const deadline = performance.now() + COMPLETION_BUDGET_MS
    let target: unknown = context
    for (const name of chain) {
      const found = child(target, name)
      if (!found.ok) return { from, to: cursor, items: [], partial: false }
      target = found.value
    }
    if (typeof target === 'string') target = String.prototype
    else if (typeof target === 'number') target = Number.prototype
    else if (typeof target === 'boolean') target = Boolean.prototype
    if (!expandable(target)) return { from, to: cursor, items: [], partial: false }
    const { names, partial } = propertyNames(target as object, deadline)
    const items: CompletionItem[] = [...names]
      .filter(([name]) => !name.startsWith('__cortex'))
      .map(([label, value]) => ({ label, kind: kindOf(value, chain.length > 0) }))
    if (chain.length === 0) items.push(...KEYWORDS.map((label) => ({ label, kind: 'keyword' as const })))
    base = { from: 0, to: 0, items: items.sort((a, b) => a.label.localeCompare(b.label)), partial }
    if (cache.size > 100) cache.clear()
    cache.set(key, base)
  }
  const items = base.items.filter((item) => item.label.startsWith(prefix) && item.label !== prefix).slice(0, MAX_ITEMS)
  return { from, to: cursor, items, partial: base.partial }
}
