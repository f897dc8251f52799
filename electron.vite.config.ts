import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import { CONTENT_SECURITY_POLICY } from './src/common/csp'

// Node 20 runs the runtime, the browser-mode host and the terminal client outside Electron, so the
// main build (which holds them) targets it; Electron 45's Node 24 runs that code too.
const nodeTarget = 'node20.19'

export default defineConfig({
  main: {
    build: {
      target: nodeTarget,
      rolldownOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          // The runtime: a first chunk that guards SIGINT, then main.ts, an entry of its own so it
          // sits beside loader.js (it registers that file by a relative path).
          runtime: resolve('src/runtime/entry.ts'),
          'runtime-main': resolve('src/runtime/main.ts'),
          // The runtime in the terminal client's own process (its pipe mode), beside loader.js too.
          'runtime-inprocess': resolve('src/runtime/in-process.ts'),
          // Registered by the runtime with module.register: runs on Node's loader thread.
          loader: resolve('src/runtime/loader/hooks.ts'),
          webhost: resolve('src/webhost/main.ts'),
          // The terminal client (`npx cortex`), started by bin/cortex.mjs or as `node out/main/terminal.js`.
          terminal: resolve('src/terminal/main.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // Sandboxed preloads cannot be ES modules, and can require only 'electron' (and a few
      // built-ins): one self-contained CommonJS file.
      externalizeDeps: false,
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } }
    }
  },
  renderer: {
    plugins: [
      react(),
      {
        // One CSP for every host: the source of truth is src/common/csp.ts.
        name: 'cortex-csp',
        transformIndexHtml: (html) => html.replace('%CORTEX_CSP%', CONTENT_SECURITY_POLICY)
      }
    ],
    build: { target: 'chrome130' }
  }
})
