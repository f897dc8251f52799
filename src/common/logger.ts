/**
 * Where a component writes its diagnostics. `src/common` has no console, so every component that
 * logs takes one of these; each process decides where the lines go (stderr, a file, the devtools).
 */
export interface Logger {
  info(message: string, data?: unknown): void
  warn(message: string, data?: unknown): void
  error(message: string, data?: unknown): void
}

export interface LogRecord {
  level: 'info' | 'warn' | 'error'
  message: string
  data?: unknown
}

/** A logger that keeps its records in memory; for tests and for buffering before a sink exists. */
export class MemoryLogger implements Logger {
  readonly records: LogRecord[] = []
  info(message: string, data?: unknown): void {
    this.records.push({ level: 'info', message, data })
  }
  warn(message: string, data?: unknown): void {
    this.records.push({ level: 'warn', message, data })
  }
  error(message: string, data?: unknown): void {
    this.records.push({ level: 'error', message, data })
  }
}

/** A logger writing one line per record, e.g. to a process's stderr: `[scope] warn: message {data}`. */
export function createLineLogger(scope: string, writeLine: (line: string) => void): Logger {
  const write = (level: LogRecord['level'], message: string, data?: unknown): void => {
    let suffix = ''
    if (data !== undefined) {
      try {
        suffix = ` ${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`
      } catch {
        suffix = ' [unserializable data]'
      }
    }
    writeLine(`[${scope}] ${level}: ${message}${suffix}`)
  }
  return {
    info: (message, data) => write('info', message, data),
    warn: (message, data) => write('warn', message, data),
    error: (message, data) => write('error', message, data)
  }
}
