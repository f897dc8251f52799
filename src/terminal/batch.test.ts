import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { linesOf, type LineSource } from './batch'

/** Takes every line as runBatch does, waiting when there is none at hand; `onLine` may pause the reader. */
function collect(lines: LineSource, onLine?: (line: string) => void | Promise<void>): Promise<string[]> {
  const seen: string[] = []
  return new Promise((resolve, reject) => {
    const pump = (): void => {
      try {
        for (;;) {
          const line = lines.take()
          if (line === undefined) return lines.onMore(pump)
          if (line === null) return resolve(seen)
          seen.push(line)
          const waiting = onLine?.(line)
          if (waiting) return void waiting.then(pump, reject)
        }
      } catch (error) {
        reject(error)
      }
    }
    pump()
  })
}

describe('linesOf (the pipe mode reading stdin)', () => {
  it('joins lines split across chunks, drops CRLF endings and keeps a last line without a newline', async () => {
    const stream = new PassThrough()
    const lines = collect(linesOf(stream))
    stream.write('1 + ')
    stream.write('1\r\nconst x')
    stream.write(' = 2\n\nx')
    stream.end()
    expect(await lines).toEqual(['1 + 1', 'const x = 2', '', 'x'])
  })

  it('takes each line as it arrives, before the stream ends, and resumes a waiting reader within the data event', async () => {
    const stream = new PassThrough()
    const lines = linesOf(stream)
    expect(lines.take()).toBeUndefined() // nothing yet
    const resumed: string[] = []
    lines.onMore(() => resumed.push(`resumed with ${lines.take()}`))
    stream.write('first\n')
    await new Promise((resolve) => setImmediate(resolve))
    expect(resumed).toEqual(['resumed with first'])
    stream.write('second\n')
    await new Promise((resolve) => setImmediate(resolve))
    expect(lines.take()).toBe('second')
    stream.end()
    await new Promise((resolve) => setImmediate(resolve))
    expect(lines.take()).toBeNull()
  })

  it('closing it before the end lets go of the stream', () => {
    const stream = new PassThrough()
    const lines = linesOf(stream)
    stream.write('one\n')
    lines.close()
    expect(stream.destroyed).toBe(true)
  })

  it('pauses a stream that outpaces its reader, and reads all of it in order', async () => {
    const stream = new PassThrough()
    const total = 5000
    let pausedWhileHeld = false
    const lines = collect(linesOf(stream), async (line) => {
      if (line === '10') {
        // Everything was written at once: the reader holds at most a bounded number of lines.
        await new Promise((resolve) => setTimeout(resolve, 20))
        pausedWhileHeld = stream.isPaused()
      }
    })
    stream.end(Array.from({ length: total }, (_, i) => `${i}`).join('\n') + '\n')
    const seen = await lines
    expect(seen).toHaveLength(total)
    expect(seen.every((line, i) => line === `${i}`)).toBe(true)
    expect(pausedWhileHeld).toBe(true)
  })

  it('passes on a read error', async () => {
    const stream = new PassThrough()
    const lines = collect(linesOf(stream))
    stream.write('one\n')
    stream.destroy(new Error('EIO: the pipe broke'))
    await expect(lines).rejects.toThrow('EIO')
  })
})
