/**
 * The one error every trace decoder throws: it names the place in the file (line, JSON path) so a
 * user can find what is wrong, e.g. `line 3: resourceSpans[0].scopeSpans[1].spans[4]: traceId is missing`.
 */
export class TraceFormatError extends Error {
  override name = 'TraceFormatError'

  /**
   * @param detail what is wrong, e.g. `traceId is missing`
   * @param path where, as a JSON path into the document (`data[0].spans[3]`); empty for the whole document
   * @param line the 1-based line of a JSON Lines file (or of a JSON document's syntax error)
   */
  constructor(
    readonly detail: string,
    readonly path = '',
    readonly line?: number,
    options?: { cause?: unknown }
  ) {
    super([line !== undefined ? `line ${line}` : '', path, detail].filter((part) => part !== '').join(': '), options)
  }

  /** The same error, placed on a line of a JSON Lines file. */
  atLine(line: number): TraceFormatError {
    return new TraceFormatError(this.detail, this.path, line, { cause: this.cause })
  }
}

/** Throws a {@link TraceFormatError} at `path`. */
export function fail(path: string, detail: string): never {
  throw new TraceFormatError(detail, path)
}

/**
 * Runs a decoder so that it only ever throws {@link TraceFormatError}: the decoders check every
 * value they read, but a file is untrusted input and a user should never see a raw TypeError (or a
 * RangeError from absurd nesting) instead of a sentence.
 */
export function guarded<T>(what: string, decode: () => T): T {
  try {
    return decode()
  } catch (error) {
    if (error instanceof TraceFormatError) throw error
    const message = error instanceof Error ? error.message : String(error)
    throw new TraceFormatError(`could not read ${what}: ${message}`, '', undefined, { cause: error })
  }
}
