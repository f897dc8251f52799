/**
 * The renderer's Content-Security-Policy, the same in Electron and in the browser mode: only the
 * app's own scripts; inline styles for xterm.js and React style props; WebSocket to loopback for
 * the browser mode. Injected into index.html at build time and sent as a header by the hosts.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  // 'self' covers the browser mode's same-origin WebSocket and nothing else.
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'"
].join('; ')

/** Directives browsers accept only as a response header, not in a <meta> tag. */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`
