import { DisposableStore, type Disposable } from '../lifecycle'
import type { Port } from './port'

/** Forwards messages both ways between two ports; when either closes, the other is closed too. */
export function pipePorts(a: Port, b: Port): Disposable {
  const store = new DisposableStore()
  store.add(a.onMessage((message) => b.send(message)))
  store.add(b.onMessage((message) => a.send(message)))
  const closeBoth = (): void => {
    store.dispose()
    a.close()
    b.close()
  }
  store.add(a.onClose(closeBoth))
  store.add(b.onClose(closeBoth))
  if (a.isClosed || b.isClosed) closeBoth()
  return store
}
