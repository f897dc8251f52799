import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * Who may talk to the browser-mode host: only a client that holds the session token, talking to
 * this very host (Host and Origin checks stop DNS rebinding and other local sites), on a loopback
 * address.
 *
 * Where the token may come from depends on what is asked for:
 * - the page and its assets: `?token=` (the printed URL) or the HttpOnly cookie set from it;
 * - the WebSockets (which run code): `?token=` or the `cortex.token.<token>` WebSocket subprotocol,
 *   which the page sends from its own session storage. Never the cookie: browsers send cookies
 *   for 127.0.0.1 to every port, so any local web server the user visits would receive it.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1'])

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host)
}

export function createToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Constant-time comparison, whatever the lengths. */
export function tokenMatches(candidate: string | undefined, token: string): boolean {
  if (candidate === undefined) return false
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(candidate), digest(token))
}

export function cookieName(port: number): string {
  // Cookies ignore ports; naming it by port keeps two hosts on one machine apart.
  return `cortex_token_${port}`
}

/** Every value of the named cookie (another local page could add a same-named one). */
function cookieValues(header: string | undefined, name: string): string[] {
  const values: string[] = []
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) values.push(rest.join('='))
  }
  return values
}

/** The subprotocol the page offers its token in, and the one the host answers with. */
export const TOKEN_PROTOCOL_PREFIX = 'cortex.token.'
export const CORTEX_PROTOCOL = 'cortex.v1'

function protocolToken(header: string | string[] | undefined): string | undefined {
  const offered = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((p) => p.trim())
  return offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length)
}

export type AccessDecision = { ok: true; viaQuery: boolean } | { ok: false; status: 403; reason: string }

export interface AccessPolicy {
  token: string
  port: number
}

function allowedAuthorities(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
}

/** Checks Host, Origin (when present) and the token, from the places `purpose` allows (see above). */
export function checkAccess(request: IncomingMessage, policy: AccessPolicy, purpose: 'page' | 'socket'): AccessDecision {
  const authorities = allowedAuthorities(policy.port)
  const host = request.headers.host
  if (!host || !authorities.has(host)) return { ok: false, status: 403, reason: `unexpected Host header ${JSON.stringify(host ?? '')}` }
  const origin = request.headers.origin
  if (origin !== undefined) {
    let authority: string | undefined
    try {
      const url = new URL(origin)
      authority = url.protocol === 'http:' ? url.host : undefined
    } catch {
      authority = undefined
    }
    if (!authority || !authorities.has(authority)) return { ok: false, status: 403, reason: `foreign Origin ${JSON.stringify(origin)}` }
  }
  const query = new URL(request.url ?? '/', 'http://local').searchParams.get('token') ?? undefined
  if (tokenMatches(query, policy.token)) return { ok: true, viaQuery: true }
  const others = purpose === 'page' ? cookieValues(request.headers.cookie, cookieName(policy.port)) : [protocolToken(request.headers['sec-websocket-protocol'])]
  if (others.some((candidate) => tokenMatches(candidate, policy.token))) return { ok: true, viaQuery: false }
  const offered = query !== undefined || others.some((candidate) => candidate !== undefined)
  return { ok: false, status: 403, reason: offered ? 'wrong token' : 'missing token' }
}
