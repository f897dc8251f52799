import '@xterm/xterm/css/xterm.css'
import { useEffect, useRef } from 'react'
import type { CortexApi } from '../api/cortex-api'
import { ReplTerminal } from './repl-terminal'

export function ReplPane({ api }: { api: CortexApi }) {
  const container = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const terminal = new ReplTerminal(container.current!, api)
    return () => terminal.dispose()
  }, [api])
  return <div className="repl-pane" ref={container} data-testid="repl" />
}
