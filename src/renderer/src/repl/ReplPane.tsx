import '@xterm/xterm/css/xterm.css'
import { useEffect, useRef } from 'react'
import type { CortexApi } from '../api/cortex-api'
import type { ReplState } from './repl-state'
import { ReplTerminal } from './repl-terminal'

export function ReplPane({ api, state }: { api: CortexApi; state: ReplState }) {
  const container = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const terminal = new ReplTerminal(container.current!, api, state)
    return () => terminal.dispose()
  }, [api, state])
  return <div className="repl-pane" ref={container} data-testid="repl" />
}
