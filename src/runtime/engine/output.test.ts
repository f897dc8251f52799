import { describe, expect, it } from 'vitest'
import type { OutputBatch } from '../../common/repl-contract'
import { OutputRouter } from './output'

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms))

describe('OutputRouter', () => {
  it('pitfall-03 no deadlock when output outpaces the consumer: 100,000 messages, nothing lost or blocked', async () => {
    const router = new OutputRouter({ flushMs: 1, maxPendingBytes: 64 * 1024 * 1024 })
    const received: string[] = []
    // A slow consumer: it acknowledges each batch only later.
    const client = router.attach((batch) => {
      for (const w of batch.writes) received.push(w.text)
      setTimeout(() => client.ack(batch.seq), 2)
    })
    const started = performance.now()
    for (let i = 0; i < 100_000; i++) router.write('js', 'stdout', `line ${i}\n`, { taskId: 'e1' })
    // The producer never waited on the consumer.
    expect(performance.now() - started).toBeLessThan(2_000)
    while (received.length < 100_000) await tick(5)
    expect(received.join('').split('\n').slice(0, -1)).toEqual(Array.from({ length: 100_000 }, (_, i) => `line ${i}`))
  })

  it('keeps memory bounded for a consumer that stops reading: the oldest display output is dropped, and counted', async () => {
    const router = new OutputRouter({ flushMs: 1, maxPendingBytes: 10_000, maxUnacked: 1 })
    const batches: OutputBatch[] = []
    const client = router.attach((batch) => batches.push(batch)) // never acknowledges
    const recorded: number[] = []
    router.onDidWrite((w) => recorded.push(w.text.length))
    // A runaway print loop: 1 MB, synchronously.
    for (let i = 0; i < 10_000; i++) router.write('js', 'stdout', `${'x'.repeat(99)}\n`)
    await tick()
    const size = (batch: OutputBatch) => batch.writes.reduce((n, w) => n + w.text.length, 0)
    expect(batches).toHaveLength(1)
    expect(size(batches[0]!)).toBeLessThanOrEqual(10_000)
    expect(batches[0]!.dropped! + size(batches[0]!)).toBe(1_000_000) // nothing disappears silently
    // Unacknowledged: more output waits (bounded), and goes out once the client catches up.
    for (let i = 0; i < 10_000; i++) router.write('js', 'stdout', `${'y'.repeat(99)}\n`)
    await tick()
    expect(batches).toHaveLength(1)
    client.ack(batches[0]!.seq)
    await tick()
    expect(batches).toHaveLength(2)
    expect(size(batches[1]!)).toBeLessThanOrEqual(10_000)
    expect(batches[1]!.dropped! + size(batches[1]!)).toBe(1_000_000)
    // The session store sees everything, dropped or not.
    expect(recorded.reduce((a, b) => a + b, 0)).toBe(2_000_000)
  })

  it('sends a burst in batches of at most 64 kB, in order (a window handles each batch in one task, and a key waits behind it)', async () => {
    const router = new OutputRouter({ flushMs: 1 })
    const batches: OutputBatch[] = []
    const client = router.attach((batch) => (batches.push(batch), client.ack(batch.seq)))
    for (let i = 0; i < 10_000; i++) router.write('js', 'stdout', `${String(i).padStart(99, '.')}\n`)
    await tick()
    const size = (batch: OutputBatch) => batch.writes.reduce((n, w) => n + w.text.length, 0)
    expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(1_000_000 / (64 * 1024)))
    for (const batch of batches) expect(size(batch)).toBeLessThanOrEqual(64 * 1024)
    expect(batches.flatMap((b) => b.writes.map((w) => w.text)).join('')).toBe(
      Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(99, '.')}\n`).join('')
    )
  })

  it('never interleaves concurrent tasks mid-line', async () => {
    const router = new OutputRouter({ flushMs: 1, partialLineMs: 1000 })
    const batches: OutputBatch[] = []
    const client = router.attach((batch) => (batches.push(batch), client.ack(batch.seq)))
    router.write('graph', 'stdout', 'g1 starts a li', { taskId: 'g1' })
    router.write('graph', 'stdout', 'g2 writes a whole line\n', { taskId: 'g2' })
    router.write('graph', 'stdout', 'ne and ends it\n', { taskId: 'g1' })
    await tick()
    expect(batches.flatMap((b) => b.writes.map((w) => `${w.taskId}: ${w.text}`))).toEqual([
      'g2: g2 writes a whole line\n',
      'g1: g1 starts a line and ends it\n'
    ])
  })

  it('lets a partial line out after a moment, or when its task ends', async () => {
    const router = new OutputRouter({ flushMs: 1, partialLineMs: 20 })
    const texts: string[] = []
    const client = router.attach((batch) => (texts.push(...batch.writes.map((w) => w.text)), client.ack(batch.seq)))
    router.write('ai', 'stdout', 'streaming tok', { taskId: 'a1' })
    await tick(5)
    expect(texts).toEqual([])
    await tick(40)
    expect(texts).toEqual(['streaming tok'])
    router.write('js', 'stdout', 'no newline', { taskId: 'e1' })
    router.endTask('e1')
    await tick(5)
    expect(texts).toEqual(['streaming tok', 'no newline'])
  })
})
