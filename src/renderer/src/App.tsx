import type { CortexApi } from './api/cortex-api'
import { ReplPane } from './repl/ReplPane'
import { StatusBar } from './StatusBar'

export function App({ api }: { api: CortexApi }) {
  return (
    <div className="app">
      <header className="title-bar">
        <span data-testid="title">Cortex</span>
      </header>
      <main className="workspace">
        <ReplPane api={api} />
      </main>
      <StatusBar api={api} />
    </div>
  )
}
