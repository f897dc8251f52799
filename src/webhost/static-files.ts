import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, relative, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8'
}

/** Maps a URL path to a file under `root`, or undefined if it would escape it. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const file = resolve(join(root, decoded === '/' ? 'index.html' : decoded))
  const inside = relative(resolve(root), file)
  return inside && !inside.startsWith(`..${sep}`) && inside !== '..' ? file : undefined
}

/** Serves one file of the built renderer; 404 for anything else. */
export async function serveStatic(root: string, urlPath: string, response: ServerResponse, headOnly: boolean): Promise<void> {
  const file = resolveStaticPath(root, urlPath)
  const info = file ? await stat(file).catch(() => undefined) : undefined
  if (!file || !info?.isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    response.end('Not found')
    return
  }
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream'
  response.writeHead(200, {
    'content-type': type,
    'content-length': info.size,
    // index.html names the hashed assets of this build: never cache it.
    'cache-control': type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600'
  })
  if (headOnly) {
    response.end()
    return
  }
  // A file can vanish between stat and read (a rebuild while serving): end the response, never crash.
  await pipeline(createReadStream(file), response).catch(() => response.destroy())
}
