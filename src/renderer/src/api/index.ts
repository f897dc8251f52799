import type { CortexBridge } from '../../../common/bridge'
import { createLineLogger } from '../../../common/logger'
import type { CortexApi } from './cortex-api'
import { ElectronLink } from './electron-link'
import { RuntimeSession } from './runtime-session'
import { WebLink } from './web-link'

/** The one place that knows whether we run in Electron (the preload set `window.cortex`) or a browser. */
export function createCortexApi(): CortexApi {
  const log = createLineLogger('renderer', (line) => console.warn(line))
  const bridge = (window as { cortex?: CortexBridge }).cortex
  const link = bridge ? new ElectronLink(bridge, log) : new WebLink(window.location.origin, log)
  return new RuntimeSession(link, log)
}
