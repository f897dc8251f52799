import { readFileSync } from 'node:fs'

/**
 * Whether the process is gone. A zombie counts as gone: it has exited and only waits for its
 * parent to collect its status. An orphan is reparented to PID 1, which in containers often never
 * collects it, so `kill(pid, 0)` keeps succeeding on the corpse.
 */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true
    throw error
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may contain spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true // vanished between the two checks
  }
}
