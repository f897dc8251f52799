import { expect } from 'vitest'
import type { Port } from '../../src/common/protocol/port'

/** Server events (output, display settings) arrive unasked; replies are everything else. */
const isEvent = (message: unknown): boolean => (message as { kind?: unknown } | null)?.kind === 'event'

/** Resolves with the next `count` replies (not events) that arrive on `port`; fails if they do not come. */
export function collectMessages(port: Port, count: number, timeoutMs = 5000): Promise<unknown[]> {
  const received: unknown[] = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose()
      reject(new Error(`only ${received.length} of ${count} messages arrived`))
    }, timeoutMs)
    const subscription = port.onMessage((message) => {
      if (isEvent(message)) return
      received.push(message)
      if (received.length === count) {
        clearTimeout(timer)
        subscription.dispose()
        resolve(received)
      }
    })
  })
}

/** Every reply is a structured protocol error: an `error` envelope or a failed response. */
export function expectAllProtocolErrors(replies: unknown[]): void {
  for (const reply of replies) {
    const r = reply as { kind: string; ok?: boolean; error?: unknown }
    expect(['error', 'response']).toContain(r.kind)
    if (r.kind === 'response') expect(r.ok).toBe(false)
    expect(r.error).toMatchObject({ name: 'ProtocolError', code: expect.any(String), message: expect.any(String) })
  }
}

/** Sends each message and checks that each one was answered with a protocol error. */
export async function expectGarbageAnswered(port: Port, garbage: unknown[]): Promise<unknown[]> {
  const replies = collectMessages(port, garbage.length)
  for (const message of garbage) port.send(message)
  const received = await replies
  expectAllProtocolErrors(received)
  return received
}
