/* eslint-disable no-var -- global declarations must be `declare var` */
/**
 * The few host APIs every Cortex process has (Electron main, utility process, renderer, plain Node,
 * browsers): a subset of the WinterCG "minimum common web platform API". `src/common` compiles with
 * `lib: ES2022` and no DOM or Node types, so anything it may use beyond ECMAScript is declared here,
 * and nothing else is. Other layers see the real DOM / Node declarations instead of this file.
 */

interface AbortSignal {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
  throwIfAborted(): void
}
declare var AbortSignal: {
  prototype: AbortSignal
  abort(reason?: unknown): AbortSignal
  timeout(milliseconds: number): AbortSignal
}

interface AbortController {
  readonly signal: AbortSignal
  abort(reason?: unknown): void
}
declare var AbortController: { prototype: AbortController; new (): AbortController }

declare function setTimeout(handler: () => void, timeout?: number): unknown
declare function clearTimeout(id: unknown): void
declare function queueMicrotask(callback: () => void): void
