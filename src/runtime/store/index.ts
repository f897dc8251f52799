export { ENTRIES_FILE, MAX_TEXT_BYTES, STORE_DIR, boundText, encodeEntry, newSessionId, parseEntry, type Entry, type EntryKind, type InputMode } from './entry'
export { formatEntries, type FormatOptions } from './format'
export { SessionStore, type SearchOptions, type SessionInfo, type SessionStoreOptions, type StoreStats } from './session-store'
