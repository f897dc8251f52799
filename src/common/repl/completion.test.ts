import { describe, expect, it } from 'vitest'
import { applyCompletions } from './completion'

const items = (...labels: string[]) => labels.map((label) => ({ label, kind: 'variable' as const }))

describe('applyCompletions', () => {
  it('inserts a single item whole', () => {
    expect(applyCompletions('gre', { from: 0, to: 3, items: items('greeting'), partial: false })).toEqual({
      insert: { from: 0, to: 3, text: 'greeting' },
      list: undefined
    })
  })

  it('inserts the common prefix of several and lists them', () => {
    expect(applyCompletions('box.op', { from: 4, to: 6, items: items('openLid', 'openBox'), partial: false })).toEqual({
      insert: { from: 4, to: 6, text: 'open' },
      list: 'openLid  openBox'
    })
  })

  it('lists without inserting when nothing more is shared; does nothing without items', () => {
    expect(applyCompletions('a', { from: 0, to: 1, items: items('ab', 'ac'), partial: false }).insert).toBeUndefined()
    expect(applyCompletions('zz', { from: 0, to: 2, items: [], partial: false })).toEqual({ insert: undefined, list: undefined })
  })
})
