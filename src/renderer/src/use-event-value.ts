import { useSyncExternalStore } from 'react'
import type { Event } from '../../common/event'

/** React state that follows an {@link Event}, reading the current value with `read` (no missed updates). */
export function useEventValue<T>(event: Event<unknown>, read: () => T): T {
  return useSyncExternalStore((onChange) => {
    const subscription = event(onChange)
    return () => subscription.dispose()
  }, read)
}
