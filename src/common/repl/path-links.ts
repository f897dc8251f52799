/** A file path found in terminal text: `[start, end)` in the text, and the line and column it points at. */
export interface PathMatch {
  start: number
  end: number
  path: string
  line?: number
  column?: number
}

// A path starts a word (or follows a bracket, quote or `=`): never the middle of a URL or of `a/b`.
const BEFORE = String.raw`(?<=^|[\s([{<'"\x60=])`
// Characters of a path segment; no spaces, quotes, brackets, commas or colons (a colon starts :line:col).
const SEGMENT = String.raw`[^\s:'"\x60()<>[\]{},;]+`
const PATH = new RegExp(
  `${BEFORE}(?:file://)?(` +
    // absolute, ./relative or ../relative
    `(?:\\.{1,2})?/${SEGMENT}(?:/${SEGMENT})*` +
    // or relative with a folder and an extension, as in stack traces: examples/ootd/index.ts
    String.raw`|[\w@-][\w.@-]*(?:/[\w.@-]+)+\.[A-Za-z0-9]+` +
    String.raw`)(?::(\d+)(?::(\d+))?)?`,
  'g'
)

/**
 * File paths in a line of output: absolute, ./relative, ../relative, or relative with a folder and
 * an extension (`examples/ootd/index.ts:12:5` in a stack trace), each with an optional :line:col.
 * Pure text matching: whether the file exists is for the host to say when the link is activated.
 */
export function findPathLinks(text: string): PathMatch[] {
  const matches: PathMatch[] = []
  for (const match of text.matchAll(PATH)) {
    let path = match[1]!
    let end = match.index + match[0].length
    // A sentence's full stop is not part of the path.
    if (match[2] === undefined && /[.]+$/.test(path)) {
      const trimmed = path.replace(/[.]+$/, '')
      end -= path.length - trimmed.length
      path = trimmed
    }
    if (path === '/' || path === '.' || path === '..' || /^\/+$/.test(path)) continue
    matches.push({
      start: match.index,
      end,
      path,
      ...(match[2] ? { line: Number(match[2]) } : {}),
      ...(match[3] ? { column: Number(match[3]) } : {})
    })
  }
  return matches
}
