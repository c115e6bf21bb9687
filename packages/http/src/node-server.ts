import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { toNodeHandler, type H3 } from 'h3'

export interface NodeServerOptions {
  /** An h3 app, or a ready node:http listener (createNodeListener). */
  app: H3 | ((req: IncomingMessage, res: ServerResponse) => void)
  port?: number
  host?: string
  /** Open connections get this long to finish on shutdown before they are cut. */
  shutdownTimeoutMs?: number
}

export interface RunningServer {
  server: Server
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>
}

/** Serves an h3 app on node:http, with keep-alive and a graceful close. */
export async function serveNode(options: NodeServerOptions): Promise<RunningServer> {
  const listener = typeof options.app === 'function' ? options.app : toNodeHandler(options.app)
  const server = createServer({ keepAliveTimeout: 5000 }, listener)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), options.shutdownTimeoutMs ?? 5000)
        server.close(() => {
          clearTimeout(timer)
          resolve()
        })
        server.closeIdleConnections()
      }),
  }
}
