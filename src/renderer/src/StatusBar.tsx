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

export function StatusBar({ api, state }: { api: CortexApi; state: ReplState }) {
  const mode = useEventValue(state.onDidChangeMode, () => state.mode)
  const connection = useEventValue(api.onConnectionChange, () => api.connection)
  const status = useEventValue(api.onRuntimeStatus, () => api.runtimeStatus)
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
      {status?.message && <span className="status-message">{status.message}</span>}
      {/* Always there: the way out of a runaway loop, and after repeated crashes. */}
      <button type="button" className="restart" onClick={() => void api.restartRuntime()} title="Kill the runtime and start a new one (the namespace is lost)">
        Restart runtime
      </button>
    </footer>
  )
}
