import { z } from 'zod'
import { fromWire, unpackSpans, type PackedSpansWire as PackedSpansWireInput } from './trace/packed'

/**
 * A span as the timeline sees it: plain data, the same whether it was just recorded by the
 * runtime or imported from a file (OTLP JSON / JSON Lines, Jaeger JSON). Ids are lowercase hex;
 * times are nanoseconds since the epoch as decimal strings (JSON numbers lose precision past 2^53).
 */
export const AttributeValue: z.ZodType<AttributeValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(AttributeValue), z.record(z.string(), AttributeValue)])
)
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue }

export const Attributes = z.record(z.string(), AttributeValue)
export type Attributes = z.infer<typeof Attributes>

const Hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`))
/** Nanoseconds since the Unix epoch, as a decimal string. */
export const NanoTime = z.string().regex(/^\d{1,20}$/)

export const SpanEventDto = z.object({
  name: z.string(),
  time: NanoTime,
  attributes: Attributes.default({})
})
export type SpanEventDto = z.infer<typeof SpanEventDto>

export const SpanLinkDto = z.object({ traceId: Hex(32), spanId: Hex(16), attributes: Attributes.default({}) })

export const SpanKind = z.enum(['internal', 'server', 'client', 'producer', 'consumer'])

export const SpanDto = z.object({
  traceId: Hex(32),
  spanId: Hex(16),
  parentSpanId: Hex(16).optional(),
  name: z.string(),
  kind: SpanKind.default('internal'),
  startTime: NanoTime,
  /** Absent while the span is still open. */
  endTime: NanoTime.optional(),
  attributes: Attributes.default({}),
  events: z.array(SpanEventDto).default([]),
  links: z.array(SpanLinkDto).default([]),
  status: z.object({ code: z.enum(['unset', 'ok', 'error']), message: z.string().optional() }).default({ code: 'unset' }),
  /** Where the span came from: the service (resource attributes) and the instrumentation scope. */
  resource: Attributes.default({}),
  scope: z.object({ name: z.string(), version: z.string().optional() }).default({ name: '' })
})
export type SpanDto = z.infer<typeof SpanDto>
export type SpanDtoInput = z.input<typeof SpanDto>

/** Finished spans column by column, as the runtime sends them (see trace/packed.ts). */
const PackedSpansWire = z.object({ ints: z.string(), times: z.string(), refs: z.array(z.unknown()) })

/**
 * A batch of the live feed: spans that started and spans that ended since the last batch. The
 * runtime sends ended spans `packed`; a parse unpacks them into `ended`, each checked as a SpanDto.
 */
export const SpanBatch = z
  .object({
    started: z.array(SpanDto),
    ended: z.array(SpanDto),
    packed: PackedSpansWire.optional()
  })
  .transform(({ started, ended, packed }, ctx) => {
    if (!packed) return { started, ended }
    let checked: z.ZodSafeParseResult<SpanDto[]>
    try {
      checked = z.array(SpanDto).safeParse(unpackSpans(fromWire(packed)))
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['packed'], message: `packed spans that do not unpack: ${error instanceof Error ? error.message : String(error)}` })
      return z.NEVER
    }
    if (!checked.success) {
      const [first] = checked.error.issues
      ctx.addIssue({ code: 'custom', path: ['packed', ...(first?.path ?? [])], message: first?.message ?? 'invalid packed spans' })
      return z.NEVER
    }
    return { started, ended: [...ended, ...checked.data] }
  })
export type SpanBatch = z.output<typeof SpanBatch>
/** A batch as the runtime sends it (ended spans packed). */
export interface SpanBatchInput {
  started: SpanDto[]
  ended: SpanDto[]
  packed?: PackedSpansWireInput
}
