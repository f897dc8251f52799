import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { EvalResult, runtimeContract } from '../runtime-contract'
import { SpanDto } from '../trace-contract'
import { parsesToItself, parsesToItselfGiven } from './identity-schema'

describe('parsesToItself (which values a direct call takes without parsing)', () => {
  it("knows the runtime contract's hot path: an evaluation's result is taken as it is, its parameters (a default mode) are parsed", () => {
    expect(parsesToItself(EvalResult)).toBe(true)
    expect(parsesToItself(runtimeContract.methods['repl.ack'].params)).toBe(true)
    expect(parsesToItself(runtimeContract.methods['repl.evaluate'].params)).toBe(false)
    expect(parsesToItself(SpanDto)).toBe(false) // defaults inside
  })

  it('looks into containers', () => {
    const plain = z.object({
      a: z.array(z.union([z.string().max(3), z.number().int()])),
      b: z.record(z.string(), z.boolean()).optional(),
      c: z.tuple([z.null()])
    })
    expect(parsesToItself(plain)).toBe(true)
    expect(parsesToItself(z.object({ a: z.array(z.object({ b: z.string().default('x') })) }))).toBe(false)
    expect(parsesToItself(z.object({ a: z.union([z.number(), z.string().trim()]) }))).toBe(false)
  })

  it('answers a schema that contains itself without walking it forever', () => {
    const Tree = z.object({
      name: z.string(),
      get left() {
        return Tree.optional()
      },
      get right() {
        return Tree.optional()
      }
    })
    expect(parsesToItself(Tree)).toBe(false)
  })

  it('answers false for whatever changes a value or is unknown to it', () => {
    for (const schema of [
      z.string().default('x'),
      z.string().trim(),
      z.string().toLowerCase(),
      z.coerce.number(),
      z.string().transform((s) => s.length),
      z.number().catch(0),
      z.lazy(() => z.string()),
      z.custom<string>(() => true),
      z.url(),
      z.string().url(),
      z.object({ a: z.string() }).readonly(),
      z.strictObject({ a: z.string() })
    ])
      expect(parsesToItself(schema)).toBe(false)
  })

  it('takes an object whose defaulted fields are all given as it is, and parses one that leaves a default out', () => {
    const evaluate = runtimeContract.methods['repl.evaluate'].params
    expect(parsesToItselfGiven(evaluate, { code: '1 + 1', mode: 'js' })).toBe(true)
    expect(parsesToItselfGiven(evaluate, { code: '1 + 1' })).toBe(false)
    expect(parsesToItselfGiven(evaluate, { code: '1 + 1', mode: undefined })).toBe(false)
    expect(parsesToItselfGiven(evaluate, null)).toBe(false)
    expect(parsesToItselfGiven(EvalResult, { evalId: 1, ok: true, text: '2' })).toBe(true)
    // A default further in, a transform beside it, or a default over a value that a parse changes: always parsed.
    expect(parsesToItselfGiven(z.object({ a: z.object({ b: z.string().default('x') }) }), { a: { b: 'y' } })).toBe(false)
    expect(parsesToItselfGiven(z.object({ a: z.string().default('x'), b: z.string().trim() }), { a: 'y', b: ' z' })).toBe(false)
    expect(parsesToItselfGiven(z.object({ a: z.string().trim().default('x') }), { a: ' y' })).toBe(false)
  })
})
