import { describe, expect, it } from 'vitest'
import { gatesText } from '../StatusBar'
import { fileKind, traceFileName } from './file-actions'
import { MAX_RECENT_FILES, RecentFiles } from './recent-files'

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial))
  return { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value), data }
}

describe('dropped and opened files', () => {
  it('are graphs, traces or neither, by their extension', () => {
    expect(['a.ts', 'b.MTS', 'c.js', 'd.mjs'].map(fileKind)).toEqual(['graph', 'graph', 'graph', 'graph'])
    expect(['run.json', 'run.jsonl', 'run.ndjson'].map(fileKind)).toEqual(['trace', 'trace', 'trace'])
    expect(['notes.txt', 'a.tsx', 'Makefile', 'ts'].map(fileKind)).toEqual(['other', 'other', 'other', 'other'])
  })

  it('an exported trace is named with its date, with no characters a file system refuses', () => {
    expect(traceFileName(new Date('2026-12-06T20:53:12.345Z'))).toBe('cortex-trace-2026-12-06T205312.jsonl')
  })
})

describe('recent files', () => {
  it('keep the last ten, newest first, without repeats, between launches', () => {
    const storage = memoryStorage()
    const recent = new RecentFiles(storage)
    for (let i = 0; i < 12; i++) recent.add(`/g/${i}.ts`)
    recent.add('/g/5.ts')
    expect(recent.list).toHaveLength(MAX_RECENT_FILES)
    expect(recent.list.slice(0, 3)).toEqual(['/g/5.ts', '/g/11.ts', '/g/10.ts'])
    expect(new RecentFiles(storage).list).toEqual(recent.list)
  })

  it('a damaged stored list is forgotten, not fatal', () => {
    expect(new RecentFiles(memoryStorage({ 'cortex.recentFiles': '{not json' })).list).toEqual([])
    expect(new RecentFiles(memoryStorage({ 'cortex.recentFiles': '[1, "/a.ts", null]' })).list).toEqual(['/a.ts'])
  })
})

describe('the status bar', () => {
  it('names the gates waiting (the first three)', () => {
    const gate = (id: string) => ({ id, node: 'N', field: 'f' })
    expect(gatesText([gate('g1.0')])).toBe('1 gate waiting: @g1.0')
    expect(gatesText(['g1.0', 'g2.0', 'g3.0', 'g4.1'].map(gate))).toBe('4 gates waiting: @g1.0, @g2.0, @g3.0, …')
  })
})
