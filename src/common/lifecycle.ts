/** Something that holds a resource until `dispose()` is called. Calling it twice is harmless. */
export interface Disposable {
  dispose(): void
}

export function toDisposable(fn: () => void): Disposable {
  let done = false
  return {
    dispose() {
      if (done) return
      done = true
      fn()
    }
  }
}

/** Owns a set of disposables and disposes them together, newest first. */
export class DisposableStore implements Disposable {
  private readonly items = new Set<Disposable>()
  private disposed = false

  get isDisposed(): boolean {
    return this.disposed
  }

  add<T extends Disposable>(item: T): T {
    // Adding to a dead store would leak silently; dispose right away instead.
    if (this.disposed) item.dispose()
    else this.items.add(item)
    return item
  }

  delete(item: Disposable): void {
    this.items.delete(item)
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    const items = [...this.items].reverse()
    this.items.clear()
    for (const item of items) item.dispose()
  }
}
