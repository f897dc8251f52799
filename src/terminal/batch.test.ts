import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { linesOf } from './batch'

async function collect(lines: AsyncIterable<string>, onLine?: (line: string) => void | Promise<void>): Promise<string[]> {
  const seen: string[] = []
  for await (const line of lines) {
    seen.push(line)
    await onLine?.(line)
  }
  return seen
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

  it('takes each line as it arrives, before the stream ends', async () => {
    const stream = new PassThrough()
    const iterator = linesOf(stream)[Symbol.asyncIterator]()
    stream.write('first\n')
    expect(await iterator.next()).toEqual({ value: 'first', done: false })
    stream.write('second\n')
    expect(await iterator.next()).toEqual({ value: 'second', done: false })
    stream.end()
    expect((await iterator.next()).done).toBe(true)
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
