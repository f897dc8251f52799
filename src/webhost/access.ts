import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * Who may talk to the browser-mode host: only a page that holds the session token (from the URL
 * printed at start, then an HttpOnly cookie), served from this very host (Host and Origin checks
 * stop DNS rebinding and other local sites), on a loopback address.
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

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=')
  }
  return undefined
}

export type AccessDecision = { ok: true; viaQuery: boolean } | { ok: false; status: 403; reason: string }

export interface AccessPolicy {
  token: string
  port: number
}

function allowedAuthorities(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
}

/** Checks Host, Origin (when present) and the token (query `?token=` or cookie). */
export function checkAccess(request: IncomingMessage, policy: AccessPolicy): AccessDecision {
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
  if (tokenMatches(cookieValue(request.headers.cookie, cookieName(policy.port)), policy.token)) return { ok: true, viaQuery: false }
  return { ok: false, status: 403, reason: query === undefined ? 'missing token' : 'wrong token' }
}
