import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { toNodeHandler, type H3 } from 'h3'
import { VehiclePerfError } from '@vehicle-perf/core'

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
  const port = options.port ?? 3000
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      // The usual listen failures are the caller's to fix: say so plainly.
      if (error.code === 'EADDRINUSE') reject(new VehiclePerfError('invalid_option', `${host}:${port} is already in use: choose another port`, { cause: error }))
      else if (error.code === 'EACCES') reject(new VehiclePerfError('invalid_option', `no permission to listen on ${host}:${port}: choose a port above 1023`, { cause: error }))
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new VehiclePerfError('invalid_option', `cannot listen on ${host}: no such local address`, { cause: error }))
      else reject(error)
    }
    server.once('error', fail)
    server.listen(port, host, () => {
      server.off('error', fail)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const boundHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    server,
    url: `http://${boundHost}:${address.port}`,
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
