// An ESLint rule that keeps each layer of src/ to the imports its process can honour (see
// docs/architecture.md): it resolves every relative import to the layer folder it lands in, and
// checks bare module names against the layer's bans. Inspired by VS Code's layer checker.
import { builtinModules } from 'node:module'
import { dirname, relative, resolve, sep } from 'node:path'

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

/** The layer (first folder under src/) a file belongs to, or undefined outside src/. */
function layerOf(file, root) {
  const parts = relative(root, file).split(sep)
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined
}

/** Layer rules: which other layers each may import, and which bare modules it may not. */
const RULES = {
  common: {
    layers: [],
    banned: (m) => m === 'electron' || m === 'react' || m === 'ws' || NODE_BUILTINS.has(m),
    why: 'src/common is pure TypeScript shared by every process'
  },
  runtime: {
    layers: ['common'],
    banned: (m) => m === 'electron' || m === 'react',
    why: 'the runtime is plain Node (only runtime/main.ts may touch Electron, through process.parentPort)'
  },
  webhost: { layers: ['common'], banned: (m) => m === 'electron' || m === 'react', why: 'the browser-mode host is plain Node' },
  terminal: {
    // webhost for launchRuntimeChild: the terminal client starts the runtime the way the browser-mode host does.
    layers: ['common', 'webhost'],
    banned: (m) => m === 'electron' || m === 'react' || m === 'react-dom' || m.startsWith('@xterm/'),
    why: 'the terminal client is plain Node (no Electron, React or DOM)'
  },
  main: { layers: ['common'], banned: (m) => m === 'react', why: 'Electron main talks to the runtime and renderer only through the protocol' },
  preload: { layers: ['common'], banned: (m) => m !== 'electron' && !m.startsWith('.'), why: 'a sandboxed preload can only require electron' },
  renderer: {
    layers: ['common'],
    banned: (m) => m === 'electron' || NODE_BUILTINS.has(m),
    why: 'the renderer is browser code that reaches the world only through CortexApi'
  }
}

export const layersRule = {
  meta: { type: 'problem', docs: { description: 'Keep each src/ layer to the imports its process can honour' }, schema: [] },
  create(context) {
    const root = context.cwd
    const file = context.filename
    const layer = layerOf(file, root)
    const rule = layer && RULES[layer]
    if (!rule) return {}
    const check = (node, source) => {
      if (typeof source !== 'string') return
      if (source.startsWith('.')) {
        const target = layerOf(resolve(dirname(file), source), root)
        if (target && target !== layer && !rule.layers.includes(target)) {
          context.report({ node, message: `src/${layer} may not import src/${target}: ${rule.why}.` })
        }
        return
      }
      const bare = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0]
      if (rule.banned(bare) || rule.banned(source)) context.report({ node, message: `src/${layer} may not import '${source}': ${rule.why}.` })
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0].value)
      }
    }
  }
}
