import type { CortexApi } from '../api/cortex-api'
import type { ReplState } from '../repl/repl-state'

/** The namespace inspector: the live bindings of the session, expanded lazily. */
export function InspectorPanel({ api: _api, state: _state }: { api: CortexApi; state: ReplState }) {
  return (
    <section className="panel inspector" data-testid="inspector">
      <header className="panel-header">Namespace</header>
      <div className="panel-body" />
    </section>
  )
}
