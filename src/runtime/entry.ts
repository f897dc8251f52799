/**
 * The runtime process's first code. Loading the runtime (main.ts and its module graph) takes a
 * second on a busy machine, and the host may send SIGINT meanwhile (Ctrl+C pressed while the first
 * input waits): with Node's default handler that would kill the process. So a handler is in place
 * before anything loads; main.ts adds the one that cancels evaluations.
 */
process.on('SIGINT', () => {})
await import('./main')

export {}
