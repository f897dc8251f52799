import type { z } from 'zod'

/** One remote method: the schema of its parameters and of its result. */
export interface MethodSchema {
  readonly params: z.ZodType
  readonly result: z.ZodType
}

/**
 * What a server offers: its methods, and the events it may emit. Both sides import the same
 * contract; the receiver of every message validates it against these schemas.
 */
export interface Contract {
  readonly methods: Readonly<Record<string, MethodSchema>>
  readonly events: Readonly<Record<string, z.ZodType>>
}

export function defineContract<const C extends Contract>(contract: C): C {
  return contract
}

export type MethodName<C extends Contract> = keyof C['methods'] & string
export type EventName<C extends Contract> = keyof C['events'] & string

/** What a caller passes (zod input type). */
export type ParamsOf<C extends Contract, M extends MethodName<C>> = z.input<C['methods'][M]['params']>
/** What a caller gets back (zod output type). */
export type ResultOf<C extends Contract, M extends MethodName<C>> = z.output<C['methods'][M]['result']>
export type PayloadOf<C extends Contract, E extends EventName<C>> = z.output<C['events'][E]>

/** Given to every handler: cancellation crosses the wire as this signal. */
export interface RequestContext {
  /** Made when first read (see rpc.ts): pass the context on, and read it where the work needs it. */
  readonly signal: AbortSignal
  readonly requestId: number
}

export type Handlers<C extends Contract> = {
  [M in MethodName<C>]: (
    params: z.output<C['methods'][M]['params']>,
    context: RequestContext
  ) => Promise<z.input<C['methods'][M]['result']>> | z.input<C['methods'][M]['result']>
}
