import type Anthropic from '@anthropic-ai/sdk'
import { inspect } from 'node:util'
import type vm from 'node:vm'
import { clip } from '../../common/text'
import { inspectPath } from '../repl/introspect'
import { preview, render } from '../repl/render'
import { summarize, type ContextSources } from './context'
import type { ReadOnlyEvaluator } from './read-only-eval'

/** What the model is told about the tools it may call (short: every question pays for them). */
export const TOOLS: Anthropic.Tool[] = [
  {
    name: 'list_namespace',
    description: "List the user's bindings in the live namespace: name, type, short preview.",
    input_schema: { type: 'object', properties: {} }
  },
  {
    name: 'inspect',
    description:
      'Look inside a value without running code: its children (name, type, preview). path like "users[0].address", or "#runs.g1" for a graph run\'s steps.',
    input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }
  },
  {
    name: 'summarize_run',
    description: 'One-line summary of a graph run (id like g1) or a trace span (16 hex digits): nodes, timing, final output or error.',
    input_schema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }
  },
  {
    name: 'evaluate',
    description: 'Evaluate a JavaScript expression in the namespace, read-only: anything with a side effect is refused, and it stops after 500 ms.',
    input_schema: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] }
  },
  {
    name: 'run_code',
    description:
      'Run JavaScript in the namespace (it may change things: bindings, files, graph runs). The user sees the code and its output, and may have to approve it first.',
    input_schema: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] }
  }
]

/** What a tool gives back: the text for the model, and one line for the user. */
export interface ToolOutcome {
  readonly content: string
  readonly summary: string
  readonly isError?: boolean
}

/** A tool result the model gets is at most this long (it is context too). */
export const MAX_RESULT = 4000

/** `users[0].address` or `users.0.address` → ['users', '0', 'address']; `#runs.g1` stays a runs path. */
export function parsePath(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\[["']([^"']+)["']\]/g, '.$1')
    .split('.')
    .map((part) => part.trim())
    .filter(Boolean)
}

export interface ToolHost {
  readonly sources: ContextSources
  readonly namespace: vm.Context
  userNames(): string[]
  /** The namespace's `ns` (its listing is what list_namespace shows). */
  listNamespace(): unknown
  readonly readOnly: ReadOnlyEvaluator
}

/** Runs one of the read-only tools (run_code is the assistant's: it may need the user's approval). */
export function runReadOnlyTool(name: string, input: Record<string, unknown>, host: ToolHost): ToolOutcome {
  switch (name) {
    case 'list_namespace': {
      const listing = host.listNamespace() as { entries?: unknown[] }
      const text = inspect(listing, { colors: false })
      return { content: clip(text, MAX_RESULT), summary: `${listing.entries?.length ?? 0} bindings` }
    }
    case 'inspect': {
      const path = parsePath(String(input['path'] ?? ''))
      const page = inspectPath(host.namespace, () => host.userNames(), path, 0, 50, host.sources.engine)
      if (page.note) return { content: page.note, summary: page.note }
      const lines = page.entries.map((entry) => `${entry.name} (${entry.type}${entry.origin ? `, from ${entry.origin}` : ''}): ${entry.preview}`)
      const more = page.total > page.entries.length ? `\n… ${page.total - page.entries.length} more` : ''
      return { content: clip(lines.join('\n') + more, MAX_RESULT), summary: `${page.total} entr${page.total === 1 ? 'y' : 'ies'}` }
    }
    case 'summarize_run': {
      const text = summarize(String(input['id'] ?? ''), host.sources)
      return { content: text, summary: preview(text, 60) }
    }
    case 'evaluate': {
      const result = host.readOnly.evaluate(String(input['expression'] ?? ''))
      if (!result.ok) return { content: result.error, summary: `refused: ${preview(result.error, 60)}`, isError: true }
      return { content: clip(render(result.value, { colors: false }), MAX_RESULT), summary: preview(result.value, 60) }
    }
  }
  return { content: `no tool ${name}`, summary: `no tool ${name}`, isError: true }
}

/** The argument shown in a tool line: `inspect(users[0])`, `evaluate(x.length)`. */
export function toolArgument(name: string, input: Record<string, unknown>): string {
  const value = name === 'inspect' ? input['path'] : name === 'summarize_run' ? input['id'] : name === 'evaluate' ? input['expression'] : undefined
  if (value === undefined) return ''
  const text = String(value).replace(/\s+/g, ' ')
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}
