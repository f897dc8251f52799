import { useEffect, useState, useSyncExternalStore } from 'react'
import type { Event } from '../../common/event'
import type { RuntimeInfo } from '../../common/runtime-contract'
import { modeLabel } from '../../common/repl/format'
import type { CortexApi } from './api/cortex-api'
import type { ReplState } from './repl/repl-state'

/** React state that follows an {@link Event}, reading the current value with `read` (no missed updates). */
function useEventValue<T>(event: Event<unknown>, read: () => T): T {
  return useSyncExternalStore((onChange) => {
    const subscription = event(onChange)
    return () => subscription.dispose()
  }, read)
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

export function StatusBar({ api, state }: { api: CortexApi; state: ReplState }) {
  const mode = useEventValue(state.onDidChangeMode, () => state.mode)
  const connection = useEventValue(api.onConnectionChange, () => api.connection)
  const status = useEventValue(api.onRuntimeStatus, () => api.runtimeStatus)
  const traces = useTraceSummary(api)
  const [info, setInfo] = useState<RuntimeInfo | undefined>()

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
      {info && (
        <span>
          runtime pid {info.pid} · Node {info.nodeVersion}
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
    </footer>
  )
}
