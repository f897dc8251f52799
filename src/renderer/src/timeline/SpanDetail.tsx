import type { AttributeValue, SpanDto } from '../../../common/trace-contract'
import { conversation, formatDuration, nanosToMs } from './timeline-model'

function show(value: AttributeValue): string {
  if (typeof value === 'string') {
    // JSON text (LM answers, message lists) reads better indented.
    if (/^[[{]/.test(value.trim())) {
      try {
        return JSON.stringify(JSON.parse(value), null, 2)
      } catch {
        return value
      }
    }
    return value
  }
  return JSON.stringify(value)
}

/** The selected span: what it was, how long it took, its attributes, events, and (an LM call) the conversation. */
export function SpanDetail({ span, onClose, onExportTrace }: { span: SpanDto; onClose: () => void; onExportTrace: () => void }) {
  const start = nanosToMs(span.startTime)
  const duration = span.endTime !== undefined ? formatDuration(nanosToMs(span.endTime) - start) : 'still open'
  const turns = conversation(span)
  const inputTokens = span.attributes['gen_ai.usage.input_tokens']
  const outputTokens = span.attributes['gen_ai.usage.output_tokens']
  const hidden = new Set(['gen_ai.input.messages', 'gen_ai.output.messages'])
  return (
    <aside className="span-detail" data-testid="span-detail">
      <header>
        <strong>{span.name}</strong>
        <span>{duration}</span>
        <span className={`status ${span.status.code}`}>
          {span.status.code === 'unset' ? span.kind : `${span.status.code}${span.status.message ? `: ${span.status.message}` : ''}`}
        </span>
        {typeof inputTokens === 'number' && typeof outputTokens === 'number' && (
          <span data-testid="span-tokens">
            {inputTokens} in · {outputTokens} out tokens
          </span>
        )}
        <span className="spacer" />
        <button type="button" onClick={onExportTrace} title="This span's whole trace, as OTLP JSON Lines">
          Export trace
        </button>
        <button type="button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>
      <div className="span-detail-body">
        {turns.length > 0 && (
          <section>
            <h4>Conversation</h4>
            {turns.map((turn, i) => (
              <div key={i} className={`turn ${turn.role}`} data-testid="span-turn">
                <div className="role">{turn.role}</div>
                <pre>{show(turn.text)}</pre>
              </div>
            ))}
          </section>
        )}
        <section>
          <h4>Attributes</h4>
          <table>
            <tbody>
              {Object.entries(span.attributes)
                .filter(([key]) => !hidden.has(key))
                .map(([key, value]) => (
                  <tr key={key}>
                    <th>{key}</th>
                    <td>
                      <pre>{show(value)}</pre>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
        {span.events.length > 0 && (
          <section>
            <h4>Events</h4>
            <table>
              <tbody>
                {span.events.map((event, i) => (
                  <tr key={i}>
                    <th>+{formatDuration(nanosToMs(event.time) - start)}</th>
                    <td>
                      {event.name}{' '}
                      {Object.entries(event.attributes)
                        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
                        .join(' ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
        <section className="ids">
          trace {span.traceId} · span {span.spanId}
          {span.parentSpanId ? ` · parent ${span.parentSpanId}` : ''}
        </section>
      </div>
    </aside>
  )
}
