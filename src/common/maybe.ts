/**
 * A value now, or a promise of it: what a path returns that is synchronous for synchronous work
 * (a REPL input such as `1 + 1` in the pipe mode), so that it pays no promise turn per layer.
 */
export type Maybe<T> = T | Promise<T>

/** `then(value)` at once when `value` is here, else once it resolves (a rejection passes on). */
export function whenReady<T, R>(value: Maybe<T>, then: (value: T) => Maybe<R>): Maybe<R> {
  return value instanceof Promise ? value.then(then) : then(value)
}
