import { defineCommand } from 'citty'
import { guarded, UsageError } from '../cli-errors.js'
import { DB_ARG } from '../open-store.js'
import { runCluster } from '../run-cluster.js'
import { readPort } from './generate-command.js'

export const serveCommand = defineCommand({
  meta: { name: 'serve', description: 'Serve the JSON API and the report page of a store over HTTP' },
  args: {
    db: DB_ARG,
    port: { type: 'string', description: 'Port', default: '3000' },
    host: { type: 'string', description: 'Interface to listen on', default: '127.0.0.1' },
    'report-redirect': { type: 'string', description: 'Dashboard URL template with {vehicle_id} / {qr_code}: the report route redirects there' },
    workers: { type: 'string', description: 'HTTP processes sharing the port (node:cluster); one per core for throughput', default: '1' },
    'report-tiles': { type: 'string', description: 'Map tiles under the report\'s ride map: an OSM-style URL with {z}/{x}/{y} (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png)' },
    'report-tiles-attribution': { type: 'string', description: 'The attribution the tile server requires', default: '© OpenStreetMap contributors' },
    'cache-mb': { type: 'string', description: 'SQLite page cache per process, in MiB: the size of the store keeps every lookup in memory', default: '64' },
  },
  run: ({ args }) =>
    guarded(async () => {
      await runCluster({ db: args.db, port: readPort(args.port, 3000), host: args.host, reportRedirect: args['report-redirect'], reportTiles: args['report-tiles'] === undefined ? undefined : { url: args['report-tiles'], attribution: args['report-tiles-attribution'] }, workers: readWorkers(args.workers), cacheMb: readCacheMb(args['cache-mb']) })
      await new Promise(() => {})
    }),
})

/** 1 to 64 processes. */
export function readWorkers(raw: string): number {
  const workers = Number(raw)
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError(`--workers ${raw}: expected a whole number from 1 to 64`)
  return workers
}

/** 1 MiB to 64 GiB. */
export function readCacheMb(raw: string): number {
  const mb = Number(raw)
  if (!Number.isInteger(mb) || mb < 1 || mb > 65_536) throw new UsageError(`--cache-mb ${raw}: expected a whole number of MiB from 1 to 65536`)
  return mb
}
