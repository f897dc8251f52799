import type { CortexApi } from '../api/cortex-api'

/** The trace timeline: a waterfall of the session's spans, live. */
export function TimelinePanel({ api: _api }: { api: CortexApi }) {
  return (
    <section className="panel timeline" data-testid="timeline">
      <header className="panel-header">Traces</header>
      <div className="panel-body" />
    </section>
  )
}
