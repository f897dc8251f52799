import { useEffect, useState } from 'react'
import type { RuntimeInfo, RuntimeStats } from '../../common/runtime-contract'
import { modeLabel } from '../../common/repl/format'
import type { CortexApi } from './api/cortex-api'
import type { WindowUi } from './files/window-ui'
import type { ReplState } from './repl/repl-state'
import { useEventValue } from './use-event-value'

/** How often the status bar asks the runtime for its memory, tasks and gates. */
const STATS_MS = 2000

/** The runtime's stats while connected: polled, and asked again soon after a task changes (a gate opens or is answered). */
function useRuntimeStats(api: CortexApi, connected: boolean): RuntimeStats | undefined {
  const [stats, setStats] = useState<RuntimeStats | undefined>()
  useEffect(() => {
    if (!connected) return setStats(undefined)
    let current = true
    let soon: ReturnType<typeof setTimeout> | undefined
    const poll = () =>
      api.runtimeStats().then(
        (value) => current && setStats(value),
        () => undefined // a restart in progress: the next poll tells
      )
    void poll()
    const timer = setInterval(() => void poll(), STATS_MS)
    const subscription = api.onTaskChange(() => {
      soon ??= setTimeout(() => {
        soon = undefined
        void poll()
      }, 100)
    })
    return () => {
      current = false
      clearInterval(timer)
      if (soon) clearTimeout(soon)
      subscription.dispose()
    }
  }, [api, connected])
  return stats
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** "1 gate waiting: @g1.0" (the first three; the tooltip has them all). */
export function gatesText(gates: RuntimeStats['gates']): string {
  const shown = gates.slice(0, 3).map((g) => `@${g.id}`)
  return `${plural(gates.length, 'gate')} waiting: ${shown.join(', ')}${gates.length > 3 ? ', …' : ''}`
}

/** How many spans the window knows, and how many are open (a run in progress), redrawn at most once a frame. */
function useTraceSummary(api: CortexApi): { total: number; open: number } {
  const [summary, setSummary] = useState({ total: api.traces.size, open: api.traces.openCount })
  useEffect(() => {
    let frame: number | undefined
    const subscription = api.traces.onDidChange(() => {
      frame ??= requestAnimationFrame(() => {
        frame = undefined
        setSummary({ total: api.traces.size, open: api.traces.openCount })
      })
    })
    return () => {
      subscription.dispose()
      if (frame !== undefined) cancelAnimationFrame(frame)
    }
  }, [api])
  return summary
}

export function StatusBar({ api, state, ui }: { api: CortexApi; state: ReplState; ui: WindowUi }) {
  const mode = useEventValue(state.onDidChangeMode, () => state.mode)
  const connection = useEventValue(api.onConnectionChange, () => api.connection)
  const status = useEventValue(api.onRuntimeStatus, () => api.runtimeStatus)
  const traces = useTraceSummary(api)
  const [info, setInfo] = useState<RuntimeInfo | undefined>()
  const stats = useRuntimeStats(api, connection.state === 'connected')

  useEffect(() => {
    if (connection.state !== 'connected') return setInfo(undefined)
    let current = true
    api.runtimeInfo().then(
      (value) => current && setInfo(value),
      () => current && setInfo(undefined)
    )
    return () => {
      current = false
    }
  }, [api, connection])

  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className={`mode ${mode}`} data-testid="mode" title="Shift+Tab switches mode">
        {modeLabel(mode)}
      </span>
      <span className={`connection ${connection.state}`} data-testid="connection">
        {connection.state}
      </span>
      {info && <span title={`Node ${info.nodeVersion}`}>runtime pid {info.pid}</span>}
      {stats && (
        <span
          className={`tasks${stats.tasks.length ? ' live' : ''}`}
          data-testid="tasks"
          title={stats.tasks.length ? stats.tasks.map((t) => `${t.id} ${t.state}: ${t.label}`).join('\n') : 'No task is running (%tasks lists them)'}
        >
          {plural(stats.tasks.length, 'task')}
        </span>
      )}
      {stats && stats.gates.length > 0 && (
        <span className="gates" data-testid="gates" title={stats.gates.map((g) => `@${g.id} ${g.node}.${g.field}: answer with @${g.id} <value>`).join('\n')}>
          {gatesText(stats.gates)}
        </span>
      )}
      {stats && (
        <span
          data-testid="memory"
          title={`Runtime memory: resident ${megabytes(stats.rssBytes)}, JavaScript heap ${megabytes(stats.heapUsedBytes)} used of ${megabytes(stats.heapTotalBytes)}`}
        >
          {megabytes(stats.rssBytes)} · heap {megabytes(stats.heapUsedBytes)}
        </span>
      )}
      <span className={`traces${traces.open ? ' live' : ''}`} data-testid="traces" title="Spans recorded this session (%trace export FILE writes them)">
        {traces.open ? `${traces.open} open span${traces.open === 1 ? '' : 's'} · ` : ''}
        {traces.total} span{traces.total === 1 ? '' : 's'}
      </span>
      {status?.message && <span className="status-message">{status.message}</span>}
      {/* Always there: the way out of a runaway loop, and after repeated crashes. */}
      <button type="button" className="restart" onClick={() => void api.restartRuntime()} title="Kill the runtime and start a new one (the namespace is lost)">
        Restart runtime
      </button>
      <button type="button" className="help" onClick={() => ui.showShortcuts(true)} title="Keyboard shortcuts (F1)" data-testid="shortcuts-button">
        ?
      </button>
    </footer>
  )
}
