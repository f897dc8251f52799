import { describe, expect, it } from 'vitest'
import { SerializedError, serializeError } from './errors'

describe('serializeError', () => {
  it('keeps name, message, stack and a string code', () => {
    const error = Object.assign(new RangeError('too far'), { code: 'E_FAR' })
    expect(serializeError(error)).toMatchObject({ name: 'RangeError', message: 'too far', code: 'E_FAR', stack: expect.stringContaining('too far') })
  })

  it('describes non-Error throws', () => {
    expect(serializeError({ reason: 'nope' })).toEqual({ name: 'NonErrorThrown', message: '{"reason":"nope"}' })
    expect(serializeError('plain')).toEqual({ name: 'NonErrorThrown', message: 'plain' })
    expect(serializeError(undefined)).toEqual({ name: 'NonErrorThrown', message: 'undefined' })
  })

  it('never throws, whatever the thrown value does', () => {
    const evil = (): object =>
      new Proxy(
        {},
        {
          getPrototypeOf() {
            throw evil()
          },
          get() {
            throw new Error('trap')
          }
        }
      )
    const getterBomb = {
      get name(): string {
        throw new Error('x'.repeat(200_000))
      }
    }
    for (const value of [evil(), getterBomb]) {
      const serialized = serializeError(value)
      expect(SerializedError.safeParse(serialized).success).toBe(true)
    }
  })

  it('stays within the schema: long fields are clipped, odd stacks and unsendable details dropped', () => {
    const long = new Error('x'.repeat(150_000))
    const oddStack = Object.assign(new Error('odd'), { stack: 42 })
    const fnDetails = Object.assign(new Error('fn'), { details: () => 1, code: 'c'.repeat(500) })
    const bigintDetails = Object.assign(new Error('big'), { details: { n: 1n } })
    for (const error of [long, oddStack, fnDetails, bigintDetails]) {
      const serialized = serializeError(error)
      expect(SerializedError.safeParse(serialized).success).toBe(true)
      expect(() => JSON.stringify(serialized)).not.toThrow()
      expect(serialized.details).toBeUndefined()
    }
    expect(serializeError(long).message).toMatch(/more characters\)$/)
    expect(serializeError(oddStack).stack).toBeUndefined()
  })

  it('keeps JSON details', () => {
    expect(serializeError(Object.assign(new Error('d'), { details: [{ path: ['a'] }] })).details).toEqual([{ path: ['a'] }])
  })
})
