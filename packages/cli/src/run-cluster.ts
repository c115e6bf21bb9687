import cluster, { type Worker } from 'node:cluster'
import { jsonLog, runServer, type ServerConfig } from './run-server.js'

/**
 * Serves with `workers` processes sharing one port (node:cluster). Each is a
 * stateless HTTP node with its own read connection and answer cache, so a
 * machine's cores all answer. The primary only supervises: it restarts a
 * worker that dies, gives up when one fails before any is listening (a bad
 * port or store: the worker has said why), and on SIGTERM or SIGINT lets
 * every worker drain, then exits 0.
 */
export async function runCluster(config: ServerConfig & { workers: number }): Promise<void> {
  if (config.workers <= 1 || cluster.isWorker) {
    await runServer(config)
    return
  }
  const log = config.log ?? jsonLog
  let listening = false
  let stopping = false
  /** Exit code when the first start failed. */
  let failed: number | null = null
  const fork = (): Worker => {
    const worker = cluster.fork()
    worker.once('listening', () => (listening = true))
    return worker
  }
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        if (failed === null) log({ level: 'info', msg: 'stopped', workers: config.workers })
        process.exit(failed ?? 0)
      }
      return
    }
    if (!listening) {
      // The first start failed (the worker printed why): every other would too.
      stopping = true
      failed = code === 0 || code === null ? 1 : code
      const others = Object.values(cluster.workers ?? {})
      if (others.length === 0) process.exit(failed)
      for (const other of others) other?.process.kill('SIGTERM')
      return
    }
    log({ level: 'warn', msg: 'worker died, restarting', pid: worker.process.pid, code, signal })
    fork()
  })
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log({ level: 'info', msg: 'shutting down', signal, workers: config.workers })
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  for (let i = 0; i < config.workers; i++) fork()
}
