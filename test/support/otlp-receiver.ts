import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeOtlp } from '../../src/common/trace/otlp'
import type { SpanDto } from '../../src/common/trace-contract'

/** A local OTLP/HTTP (JSON) receiver: what a collector (Jaeger, the OpenTelemetry Collector) would get. */
export interface OtlpReceiver {
  /** The traces endpoint, `http://127.0.0.1:PORT/v1/traces`. */
  url: string
  spans: SpanDto[]
  headers: IncomingHttpHeaders[]
  close(): Promise<void>
}

export function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: SpanDto[] = []
  const headers: IncomingHttpHeaders[] = []
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.url !== '/v1/traces' || request.method !== 'POST') return void response.writeHead(404).end()
      headers.push(request.headers)
      spans.push(...decodeOtlp(JSON.parse(Buffer.concat(chunks).toString('utf8'))))
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
        spans,
        headers,
        close: () => new Promise<void>((done) => server.close(() => done()))
      })
    )
  )
}
