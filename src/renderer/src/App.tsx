import { useState } from 'react'
import type { CortexApi } from './api/cortex-api'
import { ReplState } from './repl/repl-state'
import { ReplPane } from './repl/ReplPane'
import { StatusBar } from './StatusBar'

export function App({ api }: { api: CortexApi }) {
  const [state] = useState(() => new ReplState())
  return (
    <div className="app">
      <header className="title-bar">
        <span data-testid="title">Cortex</span>
      </header>
      <main className="workspace">
        <ReplPane api={api} state={state} />
      </main>
      <StatusBar api={api} state={state} />
    </div>
  )
}
