import { ingest } from '@vehicle-perf/core'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
const [url, schema, ...sources] = process.argv.slice(2)
const adapter = createPostgresStorage({ connectionString: url as string, schema })
await adapter.migrate()
const started = performance.now()
let phase = '', at = started
const times: Record<string, number> = {}
const report = await ingest({ adapter, sources, onProgress: (p) => { if (p.phase !== phase) { const now = performance.now(); if (phase) times[phase] = Math.round(now - at); phase = p.phase; at = now } } })
times[phase] = Math.round(performance.now() - at)
console.log(JSON.stringify({ total_ms: Math.round(performance.now() - started), rows: report.totals.rows_read, accepted: report.totals.accepted, times, rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), cpu_s: Math.round((process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e5) / 10 }))
await adapter.close()
