import { createNodeListener, serveNode, type RunningServer } from '@vehicle-perf/http'
import { openStore } from './open-store.js'

export interface ServerConfig {
  /** Store location: sqlite:PATH (default) or postgres://... */
  db: string
  port: number
  host: string
  /** Dashboard URL template for the report route (redirect mode). */
  reportRedirect?: string
  /** Map tiles under the report's ride map: an OSM-style URL template and its attribution. */
  reportTiles?: { url: string; attribution: string }
  /** SQLite page cache of each process's read connection, in MiB (default 64); ignored for PostgreSQL. */
  cacheMb?: number
  /** One JSON line per event; stdout by default. */
  log?: (entry: Record<string, unknown>) => void
}

export function jsonLog(entry: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`)
}

/**
 * Serves a store over HTTP until SIGTERM or SIGINT, then stops accepting,
 * lets in-flight requests finish and closes the store.
 */
export async function runServer(config: ServerConfig): Promise<RunningServer> {
  const log = config.log ?? jsonLog
  // Reads share a snapshot renewed every 10 ms, and the answer cache checks
  // the data version as often: a finished ingest is served within ~20 ms.
  const adapter = await openStore(config.db, { readonly: true, readSnapshotMs: 10, readCacheMb: config.cacheMb })
  // A store that is not there at start-up is a mistake to say now ("no store
  // at PATH: ingest data into it first"), not a server answering 503 for
  // ever. One that goes away later is a 503 with Retry-After.
  try {
    await adapter.meta()
  } catch (error) {
    await adapter.close()
    throw error
  }
  const app = createNodeListener({
    adapter,
    reportRedirect: config.reportRedirect,
    reportTiles: config.reportTiles,
    onError: (error, request) => log({ level: 'error', msg: 'store error', path: request.path, error: (error as Error).message }),
  })
  const running = await serveNode({ app, port: config.port, host: config.host })
  log({ level: 'info', msg: 'listening', url: running.url, pid: process.pid, db: config.db, report: config.reportRedirect ? 'redirect' : 'page' })
  const shutdown = (signal: string): void => {
    log({ level: 'info', msg: 'shutting down', signal })
    void running
      .close()
      .then(() => adapter.close())
      .then(() => {
        log({ level: 'info', msg: 'stopped' })
        process.exit(0)
      })
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
  return running
}
