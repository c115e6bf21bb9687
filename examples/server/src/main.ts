// A deployable server. Configuration (all optional):
//   PORT (3000), HOST (127.0.0.1; 0.0.0.0 to listen on every interface, as in a container), DATABASE_URL (sqlite:./vehicle-perf.db, or postgres://...?schema=NAME),
//   REPORT_REDIRECT_TEMPLATE (e.g. https://bi.example/dashboard/1/?vehicle={vehicle_id}),
//   REPORT_TILES (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png) and REPORT_TILES_ATTRIBUTION (© OpenStreetMap contributors),
//   WEB_CONCURRENCY (1): HTTP processes sharing the port, e.g. one per core
// Logs are JSON lines on stdout; SIGTERM drains in-flight requests, then exits.
import { runCluster } from '@vehicle-perf/cli'

const port = Number(process.env.PORT ?? 3000)
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`PORT ${process.env.PORT}: expected a port number\n`)
  process.exit(2)
}
const workers = Number(process.env.WEB_CONCURRENCY ?? 1)
if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
  process.stderr.write(`WEB_CONCURRENCY ${process.env.WEB_CONCURRENCY}: expected a whole number from 1 to 64\n`)
  process.exit(2)
}
try {
  await runCluster({
    workers,
    db: process.env.DATABASE_URL ?? 'sqlite:./vehicle-perf.db',
    port,
    host: process.env.HOST ?? '127.0.0.1',
    reportRedirect: process.env.REPORT_REDIRECT_TEMPLATE || undefined,
    reportTiles: process.env.REPORT_TILES ? { url: process.env.REPORT_TILES, attribution: process.env.REPORT_TILES_ATTRIBUTION || '© OpenStreetMap contributors' } : undefined,
  })
} catch (error) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'fatal', msg: (error as Error).message })}\n`)
  process.exit(1)
}
