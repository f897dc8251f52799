import { reportUnexpectedError } from './errors'
import { toDisposable, type Disposable } from './lifecycle'

/** Subscribe to an event; dispose the result to unsubscribe. */
export type Event<T> = (listener: (value: T) => void) => Disposable

/** The producing side of an {@link Event}. Listener errors are reported, never thrown into `fire`. */
export class Emitter<T> implements Disposable {
  private listeners: Array<(value: T) => void> = []
  private disposed = false

  readonly event: Event<T> = (listener) => {
    if (this.disposed) return toDisposable(() => {})
    this.listeners.push(listener)
    return toDisposable(() => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    })
  }

  get hasListeners(): boolean {
    return this.listeners.length > 0
  }

  fire(value: T): void {
    // Copy first: a listener may unsubscribe (or subscribe) while we iterate.
    for (const listener of [...this.listeners]) {
      try {
        listener(value)
      } catch (error) {
        reportUnexpectedError(error)
      }
    }
  }

  dispose(): void {
    this.disposed = true
    this.listeners = []
  }
}

/** Resolves with the next value of `event`. */
export function nextValue<T>(event: Event<T>): Promise<T> {
  return new Promise((resolve) => {
    const subscription = event((value) => {
      subscription.dispose()
      resolve(value)
    })
  })
}
