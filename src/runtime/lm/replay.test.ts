import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { graph, LmError, node } from '../graph'
import { createLm } from './index'
import { MockBackend } from './mock'
import { parseRecording, record, ReplayBackend, ReplayMissError, type RecordedCall } from './replay'

const Done = node('Done', { answer: z.string() })
const Think = node('Think', { thought: z.string() }).to(() => [Think, Done])
const Ask = node('Ask', { question: z.string() }).to(() => Think)
const ask = graph(Ask)

describe('record and replay', () => {
  it('a recorded run replays offline with identical results', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cortex-replay-')), 'run.jsonl')
    const live = new MockBackend({
      fill: { Think: [{ thought: 'a' }, { thought: 'b' }], Done: { answer: '42' } },
      choose: { Think: ['Think', 'Done'] },
      usage: { inputTokens: 9, outputTokens: 3 }
    })
    const recorded = await ask({ question: 'why?' }, { lm: createLm(record(live, file)) })

    const lines = readFileSync(file, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(5)
    const first = JSON.parse(lines[0]!) as RecordedCall
    expect(first).toMatchObject({ v: 1, kind: 'fill', node: 'Think', output: { thought: 'a' }, usage: { inputTokens: 9, outputTokens: 3 }, model: 'mock' })
    expect(first.prompt).toContain('"question": "why?"')

    const replay = createLm(ReplayBackend.fromFile(file))
    const replayed = await ask({ question: 'why?' }, { lm: replay })
    expect(replayed.trace).toEqual(recorded.trace)
    expect(replay.usage).toEqual({ inputTokens: 45, outputTokens: 15, calls: 5 })
  })

  it('many runs can share one replay', async () => {
    const calls: RecordedCall[] = []
    await ask(
      { question: 'q' },
      { lm: createLm(record(new MockBackend({ fill: { Think: { thought: 't' }, Done: { answer: 'a' } }, choose: { Think: 'Done' } }), (c) => calls.push(c))) }
    )
    const replay = createLm(new ReplayBackend(calls))
    const results = await Promise.all(Array.from({ length: 50 }, () => ask({ question: 'q' }, { lm: replay })))
    expect(new Set(results.map((r) => JSON.stringify(r.trace))).size).toBe(1)
  })

  it('a different input is a clear miss, naming the node', async () => {
    const calls: RecordedCall[] = []
    await ask(
      { question: 'q' },
      { lm: createLm(record(new MockBackend({ fill: { Think: { thought: 't' }, Done: { answer: 'a' } }, choose: { Think: 'Done' } }), (c) => calls.push(c))) }
    )
    const error = await ask({ question: 'another question' }, { lm: createLm(new ReplayBackend(calls)) }).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(
      /no recorded answer for fill Think \(key [0-9a-f]+\): the recording has 1 for Think, but with another prompt; re-record it/
    )
    expect(error).toBeInstanceOf(LmError)
    expect((error as Error).message).toMatch(/^the LM \(replay\) failed while filling Think: no recorded answer/)
    expect((error as Error).cause).toBeInstanceOf(ReplayMissError)
    await expect(
      new ReplayBackend([]).generate({ kind: 'fill', node: 'X', prompt: '', schema: {}, signal: new AbortController().signal })
    ).rejects.toBeInstanceOf(ReplayMissError)
  })

  it('names the line of a bad recording', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cortex-replay-'))
    writeFileSync(join(dir, 'bad.jsonl'), '{"v":1,"kind":"fill","node":"A","key":"k","prompt":"p","output":1}\nnot json\n')
    expect(() => ReplayBackend.fromFile(join(dir, 'bad.jsonl'))).toThrow('bad.jsonl:2: not JSON')
    expect(() => parseRecording('{"v":2}', 'x.jsonl')).toThrow('x.jsonl:1: not a recorded call')
  })
})
