/**
 * Search semantics. A query is terms and "quoted phrases", matched case-insensitively; an entry
 * matches when every one of them occurs in its text. A term matches anywhere (`cons` finds
 * `console.log`, `x.y(` finds a call); a phrase matches its words in order, separated by any
 * whitespace (so across line breaks too). ANSI escape sequences (colours) are ignored.
 */

/** Characters of an entry's text kept in memory for search: its start and its end (see {@link searchForm}). */
export const SEARCH_HEAD_CHARS = 3072
export const SEARCH_TAIL_CHARS = 1024

// CSI (colours, cursor moves) and OSC (titles, hyperlinks) sequences.
// eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g

const lower = (text: string) => (text.includes('\x1b') ? text.replace(ANSI, '') : text).toLowerCase()

/**
 * A fresh flat copy. Strings kept for the life of the store must not hold on to bigger ones: in V8
 * a slice keeps its whole original alive, and a regexp replace returns a rope of pieces of its
 * input (measured: 5x the memory of a copy). Concatenating, then slicing, flattens into a new string.
 */
const flat = (text: string) => ` ${text}`.slice(1)

/**
 * What the in-memory index keeps of a text to search it: the text in lower case, without ANSI
 * escapes. A long text keeps only its first {@link SEARCH_HEAD_CHARS} and last
 * {@link SEARCH_TAIL_CHARS} characters (where a long output's command echo, error and summary
 * are), so memory grows with the number of entries, not with the size of their output; the full
 * text stays on disk. The two parts are kept apart by a NUL, which no query matches across.
 */
export function searchForm(text: string): string {
  if (text.length > SEARCH_HEAD_CHARS + SEARCH_TAIL_CHARS) return flat(`${lower(text.slice(0, SEARCH_HEAD_CHARS))}\0${lower(text.slice(-SEARCH_TAIL_CHARS))}`)
  // The common case allocates at most once: JSON.parse made `text` fresh and flat, and so is the
  // result of toLowerCase (which returns its input when nothing changes).
  return text.includes('\x1b') ? flat(lower(text)) : text.toLowerCase()
}

/** A parsed query: every term must occur, and every phrase must match. */
export interface Query {
  /** Lower case, longest first (the most selective first: a miss is found sooner); a phrase's words are terms too. */
  readonly terms: readonly string[]
  readonly phrases: readonly RegExp[]
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Parses `terms and "quoted phrases"`; an unterminated quote runs to the end. An empty query has
 * no terms, and every entry matches it.
 */
export function parseQuery(query: string): Query {
  const terms = new Set<string>()
  const phrases: RegExp[] = []
  const pattern = /"([^"]*)"?|([^\s"]+)/g
  for (let match = pattern.exec(query); match; match = pattern.exec(query)) {
    const words = (match[1] ?? match[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean)
    for (const word of words) terms.add(word)
    // Only the phrase's words are checked with `includes` first; the regexp runs on the few
    // entries that have them all. `\s` excludes NUL, so a phrase never spans a long text's gap.
    if (words.length > 1) phrases.push(new RegExp(words.map(escapeRegExp).join('\\s+')))
  }
  return { terms: [...terms].sort((a, b) => b.length - a.length), phrases }
}

/** Whether a search form matches a query. */
export function matches(form: string, query: Query): boolean {
  for (const term of query.terms) if (!form.includes(term)) return false
  for (const phrase of query.phrases) if (!phrase.test(form)) return false
  return true
}
