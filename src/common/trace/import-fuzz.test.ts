/**
 * Trace files on import, fuzzed: seeded mutations of real OTLP JSON, OTLP JSON Lines and Jaeger
 * JSON files (text cuts and splices, and values of the wrong type put anywhere in the document).
 * The importer either reads spans that honour the contract or throws a TraceFormatError whose
 * message is a bounded sentence of its own, never a raw TypeError or stack overflow; a hang fails
 * the test by its timeout. Replay a failure with CORTEX_FUZZ_SEED=<the printed seed>.
 */
import { describe, expect, it } from 'vitest'
import { JAEGER_HOTROD_TEXT, SAMPLE_SPANS } from '../../../test/fixtures/traces'
import { random } from '../../../test/support/garbage'
import { SpanDto } from '../trace-contract'
import { parseTraceFile, serializeTraceFile } from './detect'
import { TraceFormatError } from './format-error'

const SEED = Number(process.env['CORTEX_FUZZ_SEED'] ?? 20_261_206)
const MUTATIONS_PER_FILE = 3000

const FILES: Array<{ name: string; text: string }> = [
  { name: 'trace.json', text: serializeTraceFile(SAMPLE_SPANS, 'otlp-json') },
  { name: 'trace.jsonl', text: serializeTraceFile(SAMPLE_SPANS, 'otlp-jsonl') },
  { name: 'jaeger.json', text: JAEGER_HOTROD_TEXT }
]

/** What a reader of the engine would see instead of our own sentence. */
const RAW_ENGINE_ERRORS = /Cannot read prop|is not a function|is not iterable|Maximum call stack|undefined is not|Invalid array length|Cannot convert/

/** Stands for 5,000 nested arrays, spliced into the text after JSON.stringify (which would overflow building it). */
const DEEP = 'DEEP-NESTING-SENTINEL'
const DEEP_JSON = `${'['.repeat(5000)}1${']'.repeat(5000)}`

/** Values of every type, including absurd ones, to put where the format wants something else. */
function wrongValue(next: () => number): unknown {
  const values: Array<() => unknown> = [
    () => null,
    () => true,
    () => -1,
    () => 1e308,
    () => 2 ** 64,
    () => 0.5,
    () => '',
    () => 'not-hex-zz',
    () => '9'.repeat(40),
    () => 'x'.repeat(100_000),
    () => [],
    () => [null, 1, 'a'],
    () => ({}),
    () => ({ __proto__: { polluted: true } }),
    () => ({ stringValue: 42 }),
    () => DEEP,
    () => Array.from({ length: 10_000 }, (_, i) => i)
  ]
  return values[Math.floor(next() * values.length)]!()
}

/** Every path to a value in the document: object keys and array indexes. */
function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (out.length > 5000) return out
  if (Array.isArray(value)) value.forEach((item, i) => (out.push([...prefix, i]), paths(item, [...prefix, i], out)))
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      out.push([...prefix, key])
      paths(item, [...prefix, key], out)
    }
  return out
}

/** Sets or deletes (undefined) the value at `path`; nothing when an earlier mutation removed the path. */
function setAt(document: unknown, path: Array<string | number>, value: unknown): void {
  let target = document as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) {
    target = target[key] as Record<string | number, unknown>
    if (target === null || typeof target !== 'object') return
  }
  const last = path[path.length - 1]!
  if (value === undefined) delete target[last]
  else target[last] = value
}

function mutateDocument(text: string, next: () => number): string {
  const lines = text.split('\n')
  // JSON Lines: mutate one line; a JSON document: the whole of it.
  const jsonl = lines.filter((l) => l.trim() !== '').every((l) => l.trim().startsWith('{') && l.trim().endsWith('}'))
  const index = jsonl ? Math.floor(next() * lines.length) : -1
  const source = jsonl ? lines[index]! : text
  if (source.trim() === '') return text
  const document = JSON.parse(source) as unknown
  const all = paths(document)
  for (let n = 1 + Math.floor(next() * 3); n > 0 && all.length; n--) {
    const path = all[Math.floor(next() * all.length)]!
    setAt(document, path, next() < 0.2 ? undefined : wrongValue(next))
  }
  const mutated = JSON.stringify(document).replaceAll(`"${DEEP}"`, DEEP_JSON)
  if (!jsonl) return mutated
  lines[index] = mutated
  return lines.join('\n')
}

function mutateText(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length)
  const pieces = ['{', '}', '[', ']', '"', ',', ':', '\\', '\n', '\u0000', '\uFEFF', '1e999', '-', 'null', '"\\u12"', '\uD800']
  switch (Math.floor(next() * 5)) {
    case 0:
      return text.slice(0, at) // truncated, as by a full disk or an interrupted download
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 50))
    case 2:
      return text.slice(0, at) + pieces[Math.floor(next() * pieces.length)]! + text.slice(at)
    case 3: {
      const from = Math.floor(next() * text.length)
      return text.slice(0, at) + text.slice(from, from + Math.floor(next() * 500)) + text.slice(at)
    }
    default:
      return text.replace(/\d+/g, (digits) => (next() < 0.05 ? '9'.repeat(30) : digits))
  }
}

describe('trace import, fuzzed', () => {
  for (const file of FILES) {
    it(`${file.name}: ${MUTATIONS_PER_FILE} mutations each read as valid spans or refused with a clear TraceFormatError`, { timeout: 120_000 }, () => {
      const next = random(SEED)
      const tally = { read: 0, refused: 0 }
      for (let i = 0; i < MUTATIONS_PER_FILE; i++) {
        const text = next() < 0.5 ? mutateText(file.text, next) : mutateDocument(file.text, next)
        const where = `mutation ${i} of ${file.name}, seed ${SEED} (replay: CORTEX_FUZZ_SEED=${SEED})`
        let parsed: ReturnType<typeof parseTraceFile> | undefined
        try {
          parsed = parseTraceFile(text, file.name)
        } catch (error) {
          if (!(error instanceof TraceFormatError)) throw new Error(`${where}: threw ${String(error)}`, { cause: error })
          expect(error.message, where).not.toMatch(RAW_ENGINE_ERRORS)
          expect(error.message.length, where).toBeLessThan(1000)
          tally.refused++
          continue
        }
        for (const span of parsed.spans) {
          const checked = SpanDto.safeParse(span)
          if (!checked.success)
            throw new Error(
              `${where}: a decoded span breaks the contract: ${JSON.stringify(checked.error.issues).slice(0, 300)}; span ${JSON.stringify(span).slice(0, 300)}`
            )
        }
        tally.read++
      }
      // Both outcomes occur: the mutations are neither all harmless nor all fatal.
      expect(tally.read).toBeGreaterThan(0)
      expect(tally.refused).toBeGreaterThan(MUTATIONS_PER_FILE / 4)
    })
  }
})
