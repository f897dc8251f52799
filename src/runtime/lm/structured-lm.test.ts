import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { gate, node } from '../graph'
import { MockBackend } from './mock'
import { toStrictSchema } from './prompt'
import { inputMessages, outputMessages, StructuredLm } from './structured-lm'

const signal = new AbortController().signal

describe('StructuredLm.fill', () => {
  const Weather = z.object({ temp: z.number() })
  const Source = node('AnticipateUsersDay', { vibe: z.string(), secret: gate(z.string(), 'private'), weather: Weather })
  const Target = node('RecommendOOTD', {
    top: z.string().describe('the top to wear'),
    inspo: z.array(z.url()),
    weather: Weather
  })

  it("sends bae's prompt: input data (the source's plain fields), context, then the node's name", async () => {
    const backend = new MockBackend({ fill: { RecommendOOTD: { top: 'sweater', inspo: ['https://example.com/a'] } } })
    const lm = new StructuredLm(backend)
    const source = Source.make({ vibe: 'sleepy', secret: 'do not send', weather: { temp: 11 } })
    const filled = await lm.fill(Target, { weather: { temp: 11 } }, 'RecommendOOTD', source, { signal })
    expect(filled).toEqual({ weather: { temp: 11 }, top: 'sweater', inspo: ['https://example.com/a'] })
    expect(Target.is(filled)).toBe(true)
    const [request] = backend.requests
    expect(request!.prompt).toBe(
      [
        'Input data:',
        JSON.stringify({ vibe: 'sleepy', weather: { temp: 11 } }, null, 2),
        '',
        'Context:',
        JSON.stringify({ weather: { temp: 11 } }, null, 2),
        '',
        'RecommendOOTD'
      ].join('\n')
    )
    expect(request!.prompt).not.toContain('do not send') // gates are not input data
  })

  it('asks for a strict JSON schema of the plain fields it must fill, descriptions included', async () => {
    const backend = new MockBackend({ fill: { RecommendOOTD: { top: 'x', inspo: [] } } })
    await new StructuredLm(backend).fill(Target, { weather: { temp: 1 } }, 'RecommendOOTD', undefined, { signal })
    const schema = backend.requests[0]!.schema as {
      properties: Record<string, { description?: string; items?: { format?: string } }>
      required: string[]
      additionalProperties: boolean
    }
    expect(Object.keys(schema.properties)).toEqual(['top', 'inspo']) // weather came as context
    expect(schema.required).toEqual(['top', 'inspo'])
    expect(schema.additionalProperties).toBe(false)
    expect(schema.properties['top']!.description).toBe('the top to wear')
    expect(schema.properties['inspo']!.items!.format).toBe('uri')
  })

  it('makes no call when there is nothing to fill', async () => {
    const backend = new MockBackend({})
    const Only = node('OnlyDeps', { weather: Weather })
    expect(await new StructuredLm(backend).fill(Only, { weather: { temp: 3 } }, 'OnlyDeps', undefined, { signal })).toEqual({ weather: { temp: 3 } })
    expect(backend.requests).toEqual([])
  })

  it('records token usage and tells observers about each call', async () => {
    const backend = new MockBackend({ fill: { RecommendOOTD: { top: 'x', inspo: [] } }, usage: { inputTokens: 120, outputTokens: 30 } })
    const lm = new StructuredLm(backend)
    const seen: string[] = []
    lm.onDidCall((call) => seen.push(`${call.request.kind} ${call.request.node} ${call.response.usage?.outputTokens}`))
    await lm.fill(Target, { weather: { temp: 1 } }, 'RecommendOOTD', undefined, { signal })
    await lm.fill(Target, { weather: { temp: 2 } }, 'RecommendOOTD', undefined, { signal })
    expect(lm.usage).toEqual({ inputTokens: 240, outputTokens: 60, calls: 2 })
    expect(seen).toEqual(['fill RecommendOOTD 30', 'fill RecommendOOTD 30'])
  })
})

describe('StructuredLm.chooseType', () => {
  const A = node('AnticipateUsersDay', {})
  const No = node('No', {})

  it('asks with the context and the candidate names, constrained to them', async () => {
    const backend = new MockBackend({ choose: { IsTheUserGettingDressed: 'No' } })
    const chosen = await new StructuredLm(backend).chooseType([A, No], { user_message: 'ugh' }, { signal, from: 'IsTheUserGettingDressed' })
    expect(chosen).toBe(No)
    expect(backend.requests[0]!.prompt).toBe(`${JSON.stringify({ context: { user_message: 'ugh' } }, null, 2)}\n\nPick one type: AnticipateUsersDay, No`)
    expect(backend.requests[0]!.schema).toMatchObject({ properties: { choice: { enum: ['AnticipateUsersDay', 'No'] } } })
  })

  it('a single candidate needs no call; an answer outside the choices is a FillError', async () => {
    const backend = new MockBackend({ choose: { X: 'Elsewhere' } })
    const lm = new StructuredLm(backend)
    expect(await lm.chooseType([A], {}, { signal })).toBe(A)
    expect(backend.requests).toEqual([])
    await expect(lm.chooseType([A, No], {}, { signal, from: 'X' })).rejects.toThrow(/the choice after X\.choice: Invalid option/)
  })
})

describe('toStrictSchema', () => {
  it('closes objects, turns oneOf into anyOf, and folds unsupported constraints into the description', () => {
    expect(
      toStrictSchema({
        $schema: 'x',
        type: 'object',
        properties: {
          when: { type: 'string', format: 'week', description: 'the week' },
          tags: { type: 'array', items: { type: 'string' }, minItems: 3 },
          pick: { oneOf: [{ type: 'string' }, { type: 'number', minimum: 0 }] }
        }
      })
    ).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        when: { type: 'string', description: 'the week {format: week}' },
        tags: { type: 'array', items: { type: 'string' }, description: '{minItems: 3}' },
        pick: { anyOf: [{ type: 'string' }, { type: 'number', description: '{minimum: 0}' }] }
      }
    })
  })
})

describe('the GenAI message attributes of an LM span', () => {
  // Replay and other tools parse these back: the text must be what JSON.stringify of the messages gives.
  const prompts = ['what should I wear?', 'quotes " and \\ backslashes,\nnew lines, émoji 🧥 and \u2028']
  it.each(prompts)('gen_ai.input.messages is the JSON of the user message (%j)', (prompt) => {
    expect(inputMessages(prompt)).toBe(JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: prompt }] }]))
  })

  it.each([
    [{ top: 'a "cosy" sweater', layers: [1, 2] }, 'stop'],
    ['plain text', undefined],
    [undefined, 'length']
  ])('gen_ai.output.messages is the JSON of the assistant message, its content the answer as JSON (%j, %s)', (output, finishReason) => {
    const content = JSON.stringify(output) as string | undefined
    const expected = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content }], ...(finishReason ? { finish_reason: finishReason } : {}) }])
    expect(outputMessages(output, finishReason)).toBe(expected)
  })
})
