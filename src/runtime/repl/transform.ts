import { Parser, type Node as AcornNode } from 'acorn'
import { recursive as walkRecursive, simple as walkSimple } from 'acorn-walk'
import type * as SucraseModule from 'sucrase'
import { isArithmetic } from '../../common/repl/arithmetic'
import { lazyModule } from '../lazy-module'

/** sucrase, loaded by the first input that may hold TypeScript (about 45 ms of the REPL's start). */
const sucraseModule = lazyModule<typeof SucraseModule>('sucrase')

/**
 * Turns one REPL input (JavaScript or TypeScript) into a script for the namespace's `vm` context:
 * - TypeScript types are stripped (sucrase: fast, and it keeps line numbers);
 * - `{ a: 1 }` alone is an object, not a block;
 * - top-level declarations (`const`, `let`, `var`, `class`, `function`, destructuring, `import`)
 *   become globals of the context, so they persist, and a later input may declare them again (as in
 *   DevTools); a `var` nested in a block, an `if` or a loop head (outside functions) too, as in a script;
 * - the code runs inside a function, async when it uses `await` (top-level await, `for await`);
 *   the value of a final expression statement is its result;
 * - `import x from 'pkg'` and `import('pkg')` go through the runtime's loader (npm packages,
 *   `node:` modules, relative `.ts`/`.js` files).
 */
export interface TransformedInput {
  /** The script to run; it evaluates to the result, or to a promise of it when `isAsync`. */
  readonly code: string
  readonly isAsync: boolean
  /** Names declared at top level (they become globals of the namespace). */
  readonly declared: readonly string[]
  /**
   * False when the input cannot run for long synchronously: no loops, calls, constructions,
   * member accesses (getters), tagged templates or `with`. Such inputs are evaluated without the
   * SIGINT watchdog (a thread started per evaluation, ~75 µs): there is no loop for it to break.
   */
  readonly mayRunLong: boolean
  /**
   * False when the input cannot declare, assign or delete a name by its own syntax: no
   * declaration, assignment, `delete`, import, await, or anything that may run other code (see
   * mayRunLong). A getter or `valueOf` it triggers still can; the runtime's look at all names at
   * most a second later covers those (Runtime.foundSecrets).
   */
  readonly mayBind: boolean
}

/** The global the transformed code calls for imports; hidden from the user's namespace. */
export const IMPORT_HELPER = '__cortexImport$'

/** A syntax error in an input, with where it is and the offending line marked. */
export class InputSyntaxError extends SyntaxError {
  override name = 'SyntaxError'
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    /** The offending line of the input and a caret under the column. */
    readonly frame: string
  ) {
    super(message)
  }
}

function frameOf(source: string, line: number, column: number): string {
  const text = source.split('\n')[line - 1] ?? ''
  return `${text}\n${' '.repeat(Math.max(0, column))}^`
}

type Located = AcornNode & { start: number; end: number }
interface Pattern extends Located {
  type: string
  name?: string
  properties?: Array<{ type: string; value?: Pattern; argument?: Pattern }>
  elements?: Array<Pattern | null>
  left?: Pattern
  argument?: Pattern
}

/** The identifiers a declaration pattern binds: `{ a, b: [c, ...d] }` → a, c, d. */
function boundNames(pattern: Pattern | null | undefined, into: string[] = []): string[] {
  if (!pattern) return into
  switch (pattern.type) {
    case 'Identifier':
      into.push(pattern.name!)
      break
    case 'ObjectPattern':
      for (const p of pattern.properties ?? []) boundNames(p.type === 'RestElement' ? p.argument : p.value, into)
      break
    case 'ArrayPattern':
      for (const e of pattern.elements ?? []) boundNames(e, into)
      break
    case 'AssignmentPattern':
      boundNames(pattern.left, into)
      break
    case 'RestElement':
      boundNames(pattern.argument, into)
      break
  }
  return into
}

// No `locations`: nothing reads a node's line, and a syntax error has its `loc` anyway.
const PARSE_OPTIONS = { ecmaVersion: 'latest', allowAwaitOutsideFunction: true, allowHashBang: true } as const

function parse(code: string): { program: Located & { body: Located[] }; module: boolean } {
  try {
    return { program: Parser.parse(code, { ...PARSE_OPTIONS, sourceType: 'module' }) as never, module: true }
  } catch (moduleError) {
    // Sloppy-mode code (`with`, octal literals…) is not valid as a module; it may be as a script.
    try {
      return { program: Parser.parse(code, { ...PARSE_OPTIONS, sourceType: 'script' }) as never, module: false }
    } catch {
      throw moduleError
    }
  }
}

/** `{ a: 1 }` parses as a block; when the whole input also parses as an expression, take that. */
function asObjectLiteral(source: string): string | undefined {
  const trimmed = source.trim()
  if (!trimmed.startsWith('{') || !/}\s*;?$/.test(trimmed)) return undefined
  const candidate = `(${trimmed.replace(/;\s*$/, '')})`
  try {
    Parser.parseExpressionAt(candidate, 0, PARSE_OPTIONS)
    return candidate
  } catch {
    return undefined
  }
}

/**
 * Whether an input may hold TypeScript syntax. Every TypeScript-only construct needs one of these
 * characters (annotations `:`, generics and casts `<`, non-null `!`, optional `?`, decorators `@`)
 * or words; an input with none is plain JavaScript and skips sucrase, which costs more than the
 * parse (about 40 µs for a one-line input). False positives only cost that time.
 */
export function mayBeTypeScript(source: string): boolean {
  return /[:<!?@]|\b(?:as|satisfies|interface|type|enum|declare|namespace|module|abstract|implements|public|private|protected|readonly|override|import|export)\b/.test(
    source
  )
}

function stripTypes(source: string): string {
  try {
    return sucraseModule().transform(source, { transforms: ['typescript'], disableESTransforms: true, keepUnusedImports: true }).code
  } catch (error) {
    const { loc, message } = error as { loc?: { line: number; column: number }; message: string }
    const line = loc?.line ?? 1
    const column = Math.max(0, (loc?.column ?? 1) - 1) // sucrase counts columns from 1, acorn from 0
    throw new InputSyntaxError(message.replace(/\s*\(\d+:\d+\)$/, ''), line, column, frameOf(source, line, column))
  }
}

interface Edit {
  start: number
  end: number
  text: string
}

function applyEdits(code: string, edits: Edit[]): string {
  let out = ''
  let at = 0
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    out += code.slice(at, edit.start) + edit.text
    at = edit.end
  }
  return out + code.slice(at)
}

/** `import a, { b as c } from 'x'` → a destructuring of the loaded module. */
function importAsAssignment(
  node: Located & { source: { value: string }; specifiers: Array<{ type: string; local: { name: string }; imported?: { name?: string; value?: string } }> },
  names: string[]
): string {
  const load = `(await ${IMPORT_HELPER}(${JSON.stringify(node.source.value)}))`
  if (node.specifiers.length === 0) return `${load};`
  const parts: string[] = []
  const picks: string[] = []
  for (const specifier of node.specifiers) {
    names.push(specifier.local.name)
    if (specifier.type === 'ImportNamespaceSpecifier') parts.push(`${specifier.local.name} = __m;`)
    else if (specifier.type === 'ImportDefaultSpecifier') parts.push(`${specifier.local.name} = __m.default;`)
    else picks.push(`${specifier.local.name} = __m[${JSON.stringify(specifier.imported?.name ?? specifier.imported?.value)}];`)
  }
  return `{ const __m = ${load}; ${[...parts, ...picks].join(' ')} }`
}

export function transformInput(input: string): TransformedInput {
  return transformArithmetic(input) ?? transformParsed(input)
}

/**
 * A bare arithmetic expression (see isArithmetic) runs as it is, without the parse: a script's
 * value is its expression's. (The parser's path wraps an input in a function, which V8 compiles
 * as a second unit: ~15 µs more per input here.)
 */
export function transformArithmetic(input: string): TransformedInput | undefined {
  if (!isArithmetic(input)) return undefined
  return { code: input, isAsync: false, declared: [], mayRunLong: false, mayBind: false }
}

/** Any input: parsed (TypeScript types stripped first when it may have them), then rewritten. */
export function transformParsed(input: string): TransformedInput {
  const source = asObjectLiteral(input) ?? input
  let stripped = source
  let parsed: ReturnType<typeof parse> | undefined
  // JavaScript is taken as it parses: sucrase (~40 µs) only for what may hold TypeScript and does
  // not parse as JavaScript, or has a `<` (`f<T>(x)` parses as JavaScript too: two comparisons).
  // Without a `<`, sucrase leaves valid JavaScript as it is (`a ? b : c`, `{ a: 1 }`, `x!== y`), or
  // fails on it (`a ? (b) : c => d`).
  if (!mayBeTypeScript(source) || !source.includes('<')) {
    try {
      parsed = parse(source)
    } catch {
      // Not JavaScript after all: the TypeScript path below says what is wrong, and where.
    }
  }
  if (!parsed) {
    stripped = stripTypes(source)
    parsed = parseStripped(input, stripped)
  }
  return rewrite(stripped, parsed)
}

function parseStripped(input: string, stripped: string): ReturnType<typeof parse> {
  try {
    return parse(stripped)
  } catch (error) {
    const { loc, message } = error as { loc?: { line: number; column: number }; message: string }
    const line = loc?.line ?? 1
    const column = loc?.column ?? 0
    // Report against what the user typed: sucrase keeps lines, so the line is right.
    throw new InputSyntaxError(message.replace(/\s*\(\d+:\d+\)$/, ''), line, column, frameOf(input, line, column))
  }
}

/** The parsed input (`stripped`: its JavaScript) as a script for the namespace: see {@link TransformedInput}. */
function rewrite(stripped: string, parsed: ReturnType<typeof parse>): TransformedInput {
  const { program } = parsed
  const edits: Edit[] = []
  const declared: string[] = []
  const hoistedFunctions: string[] = []
  let isAsync = false

  // Edits inside statements (dynamic imports), applied wherever a statement's text is reused.
  const inner: Edit[] = []
  let mayRunLong = false
  const runsLong = (): void => void (mayRunLong = true)
  let assigns = false
  walkSimple(program as never, {
    ForStatement: runsLong,
    ForInStatement: runsLong,
    WhileStatement: runsLong,
    DoWhileStatement: runsLong,
    CallExpression: runsLong,
    NewExpression: runsLong,
    MemberExpression: runsLong,
    TaggedTemplateExpression: runsLong,
    WithStatement: runsLong,
    // Declarations and classes run code through their initializers and static blocks: walked as usual.
    AwaitExpression: () => void (isAsync = true),
    AssignmentExpression: () => void (assigns = true),
    UpdateExpression: () => void (assigns = true),
    UnaryExpression: (n) => void ((n as unknown as { operator: string }).operator === 'delete' && (assigns = true)),
    ForOfStatement: (n) => {
      mayRunLong = true
      if ((n as unknown as { await?: boolean }).await) isAsync = true
    },
    ImportExpression: (n) => {
      const node = n as unknown as Located
      inner.push({ start: node.start, end: node.start + 'import'.length, text: IMPORT_HELPER })
    }
  })
  const sourceOf = (start: number, end: number): string =>
    applyEdits(
      stripped.slice(start, end),
      inner.filter((e) => e.start >= start && e.end <= end).map((e) => ({ ...e, start: e.start - start, end: e.end - start }))
    )

  /**
   * `var`s nested in an input's statements (a block, an `if`, a loop's head), outside any function:
   * in a script they declare globals, and here the input runs inside a function, so they are turned
   * into assignments to globals of the same names (`if (c) var v = 1` → `if (c) { (v = 1); }`).
   */
  const declareNestedVars = (statement: AcornNode): void => {
    type Declaration = Located & { type: string; kind: string; declarations: Array<Located & { id: Pattern; init: Located | null }> }
    const isVar = (node: { type: string; kind?: string }): node is Declaration => node.type === 'VariableDeclaration' && node.kind === 'var'
    const namesOf = (node: Declaration): void => node.declarations.forEach((d) => declared.push(...boundNames(d.id)))
    walkRecursive(statement as never, undefined, {
      Function: () => {},
      Class: () => {},
      // A loop's head: `for (var i = 0; …)` → `for (i = 0; …)`, `for (var k in o)` → `for (k in o)`.
      ForInit: (node, state, c) => {
        const head = node as unknown as Declaration
        if (isVar(head)) {
          namesOf(head)
          edits.push({ start: head.start, end: head.declarations[0]!.start, text: '' })
          // acorn-walk's callback takes the node type to walk as (a typing the package leaves out).
        } else if (node.type !== 'VariableDeclaration') (c as (node: unknown, state: unknown, as: string) => void)(node, state, 'Expression')
      },
      VariableDeclaration: (node) => {
        const declaration = node as unknown as Declaration
        if (!isVar(declaration)) return
        namesOf(declaration)
        const assignments = declaration.declarations
          .filter((d) => d.init)
          .map((d) => `(${sourceOf(d.id.start, d.id.end)} = ${sourceOf(d.init!.start, d.init!.end)});`)
        // A block: one statement wherever a statement may stand (an `if` without braces).
        edits.push({ start: declaration.start, end: declaration.end, text: `{ ${assignments.join(' ')} }` })
      }
    })
  }

  const body = program.body
  body.forEach((statement, index) => {
    const node = statement as Located & {
      type: string
      declaration?: Located & { type: string }
      kind?: string
      declarations?: Array<{ id: Pattern; init: Located | null }>
      id?: { name: string }
      expression?: Located
    }
    // `export` is meaningless in a REPL input: keep the declaration.
    let target = node
    if ((node.type === 'ExportNamedDeclaration' || node.type === 'ExportDefaultDeclaration') && node.declaration) {
      edits.push({ start: node.start, end: node.declaration.start, text: '' })
      target = node.declaration as typeof node
    }
    switch (target.type) {
      case 'ImportDeclaration':
        isAsync = true
        edits.push({ start: node.start, end: node.end, text: importAsAssignment(node as never, declared) })
        return
      case 'VariableDeclaration': {
        const assignments = target.declarations!.map((d) => {
          const names = boundNames(d.id)
          declared.push(...names)
          // `({ a } = obj)` and `([a] = list)` are valid destructuring assignments as they are.
          if (d.init) return `(${sourceOf(d.id.start, d.id.end)} = ${sourceOf(d.init.start, d.init.end)})`
          // `let x` declares x anew (undefined); `var x` keeps a value x already has.
          return target.kind === 'var' ? '' : names.map((name) => `(${name} = undefined)`).join(', ')
        })
        const text = assignments.filter(Boolean).join(', ')
        // A leading ';': the replacement starts with '(' and must not continue a previous line that has no semicolon.
        edits.push({ start: target.start, end: node.end, text: text ? `;${text};` : ';' })
        return
      }
      case 'FunctionDeclaration': {
        const name = target.id!.name
        declared.push(name)
        // Hoisted, as functions are: assigned before the rest of the input runs.
        hoistedFunctions.push(`${name} = ${sourceOf(target.start, target.end)};`)
        edits.push({ start: node.start, end: node.end, text: '' })
        return
      }
      case 'ClassDeclaration': {
        const name = target.id!.name
        declared.push(name)
        edits.push({ start: target.start, end: node.end, text: `${name} = ${sourceOf(target.start, target.end)};` })
        return
      }
      case 'ExpressionStatement':
        if (index === body.length - 1)
          edits.push({ start: node.start, end: node.end, text: `return (${sourceOf(target.expression!.start, target.expression!.end)});` })
        return
      default:
        declareNestedVars(target as unknown as AcornNode)
    }
  })

  const names = [...new Set(declared)]
  // Everything on the first line, so the user's line numbers stay true in stack traces.
  const prefix = `${names.length ? `var ${names.join(', ')}; ` : ''}(${isAsync ? 'async ' : ''}function () { ${hoistedFunctions.join(' ')}`
  // Dynamic imports outside the statements rewritten above still need their edit.
  const covered = (e: Edit): boolean => edits.some((s) => e.start >= s.start && e.end <= s.end)
  const code = `${prefix}${applyEdits(stripped, [...edits, ...inner.filter((e) => !covered(e))])}\n})()`
  const runs = mayRunLong || parsed.module === false
  return { code, isAsync, declared: names, mayRunLong: runs, mayBind: runs || isAsync || assigns || names.length > 0 || inner.length > 0 }
}
