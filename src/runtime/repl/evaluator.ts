import { AsyncLocalStorage } from 'node:async_hooks'
import { Console } from 'node:console'
import { Writable } from 'node:stream'
import { inspect } from 'node:util'
import vm from 'node:vm'
import { serializeError } from '../../common/errors'
import type { EvalResult, OutputChunk } from '../../common/runtime-contract'

const INPUT_FILE_PREFIX = 'input-'

/**
 * The host globals user code may use. This keeps runtime internals out of the namespace by
 * accident; it is not a security boundary (a vm context never is: `console.log.constructor`
 * reaches the host realm). The user owns this runtime anyway.
 */
function userGlobals(console: Console): Record<string, unknown> {
  return {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    setImmediate,
    clearImmediate,
    queueMicrotask,
    structuredClone,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    fetch
  }
}

/**
 * Keeps only the frames that point into user input: a user does not need the runtime's frames.
 * Lines before the first frame (message, and a SyntaxError's source excerpt) are kept.
 */
export function trimStack(stack: string): string {
  const lines = stack.split('\n')
  const firstFrame = lines.findIndex((line) => /^\s+at /.test(line))
  if (firstFrame < 0) return stack
  const userFrames = lines.slice(firstFrame).filter((line) => line.includes(INPUT_FILE_PREFIX))
  return [...lines.slice(0, firstFrame), ...userFrames].join('\n')
}

/**
 * Evaluates JavaScript in one persistent `vm` context: top-level declarations of one input are
 * visible to the next, like consecutive <script> tags. `console` inside the context writes output
 * chunks labelled with the evaluation that is running, also from its later async work.
 *
 * This is the skeleton evaluator; TypeScript, top-level await and interrupts come with the REPL.
 */
export class JsEvaluator {
  private readonly context: vm.Context
  private readonly currentEval = new AsyncLocalStorage<number>()
  private lastId = 0

  constructor(onOutput: (chunk: OutputChunk) => void) {
    const sink = (stream: OutputChunk['stream']): Writable =>
      new Writable({
        decodeStrings: false,
        write: (chunk: string | Buffer, _encoding, done) => {
          const evalId = this.currentEval.getStore()
          onOutput({ ...(evalId !== undefined ? { evalId } : {}), stream, text: chunk.toString() })
          done()
        }
      })
    const console = new Console({ stdout: sink('stdout'), stderr: sink('stderr'), colorMode: true })
    this.context = vm.createContext(userGlobals(console), { name: 'Cortex namespace' })
  }

  /** The evaluation whose (possibly async) work is running now, if any. */
  get currentEvalId(): number | undefined {
    return this.currentEval.getStore()
  }

  evaluate(code: string): EvalResult {
    const evalId = ++this.lastId
    return this.currentEval.run(evalId, () => {
      try {
        const script = new vm.Script(code, { filename: `${INPUT_FILE_PREFIX}${evalId}` })
        const value: unknown = script.runInContext(this.context, { displayErrors: true })
        return { evalId, ok: true as const, text: inspect(value, { colors: true, depth: 4 }) }
      } catch (thrown) {
        const error = serializeError(thrown)
        if (error.stack) error.stack = trimStack(error.stack)
        return { evalId, ok: false as const, error }
      }
    })
  }
}
