import { useState } from 'react'
import type { CortexApi } from './api/cortex-api'
import { GraphPanel } from './graph/GraphPanel'
import { FileActions } from './files/file-actions'
import { RecentFiles } from './files/recent-files'
import { WindowChrome } from './files/WindowChrome'
import { WindowUi } from './files/window-ui'
import { InspectorPanel } from './inspector/InspectorPanel'
import { Split } from './layout/Split'
import { Tabs } from './layout/Tabs'
import { ReplState } from './repl/repl-state'
import { ReplPane } from './repl/ReplPane'
import { StatusBar } from './StatusBar'
import { TimelinePanel } from './timeline/TimelinePanel'

export function App({ api }: { api: CortexApi }) {
  const [state] = useState(() => new ReplState())
  const [ui] = useState(() => new WindowUi())
  const [actions] = useState(() => new FileActions(api, ui.notices, new RecentFiles(localStorage)))
  return (
    <div className="app">
      <header className="title-bar">
        <span data-testid="title">Cortex</span>
        <WindowChrome api={api} actions={actions} ui={ui} repl={state} />
      </header>
      <main className="workspace">
        <Split
          id="main"
          direction="row"
          initial={0.55}
          first={<ReplPane api={api} state={state} />}
          second={
            <Split
              id="side"
              direction="column"
              initial={0.6}
              first={
                <Tabs
                  id="side-top"
                  tabs={[
                    { id: 'timeline', label: 'Timeline', content: <TimelinePanel api={api} /> },
                    { id: 'graph', label: 'Graph', content: <GraphPanel api={api} state={state} /> }
                  ]}
                />
              }
              second={<InspectorPanel api={api} state={state} />}
            />
          }
        />
      </main>
      <StatusBar api={api} state={state} ui={ui} />
    </div>
  )
}
