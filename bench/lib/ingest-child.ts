// One measured ingest in a fresh process (so peak RSS is this ingest's own).
// Usage: node --import tsx/esm ingest-child.ts <db-file> <source>...
import { ingest } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'

const [dbFile, ...sources] = process.argv.slice(2)
const adapter = createSqliteStorage({ filename: dbFile as string, ...(process.env.VP_CACHE_MB ? { cacheSizeMb: Number(process.env.VP_CACHE_MB) } : {}) })
await adapter.migrate()
const started = performance.now()
let refreshStarted = 0
let storeStarted = 0
// Where the time goes: each phase and store step, from the progress events.
const steps: Record<string, number> = {}
let current = ''
let currentStarted = started
const enter = (name: string): void => {
  if (name === current) return
  const now = performance.now()
  if (current !== '') steps[current] = Math.round((steps[current] ?? 0) + now - currentStarted)
  current = name
  currentStarted = now
}
const report = await ingest({
  adapter,
  sources,
  onProgress: (p) => {
    if (p.phase === 'store' && storeStarted === 0) storeStarted = performance.now()
    if (p.phase === 'refresh' && refreshStarted === 0) refreshStarted = performance.now()
    enter(p.phase === 'store' && p.storeStep !== null ? `store: ${p.storeStep.label}` : p.phase)
  },
})
const finished = performance.now()
enter('end')
await adapter.close()
process.stdout.write(
  JSON.stringify({
    rows_read: report.totals.rows_read,
    accepted: report.totals.accepted,
    failed_files: report.totals.failed_files,
    vehicles_refreshed: report.vehicles_refreshed,
    total_ms: Math.round(finished - started),
    read_store_ms: Math.round((refreshStarted || finished) - started),
    read_ms: Math.round((storeStarted || finished) - started),
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    // CPU time of the whole process: steadier than wall time on this shared machine.
    cpu_s: Math.round((process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e5) / 10,
    heap_used_mb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    heap_total_mb: Math.round(process.memoryUsage().heapTotal / 2 ** 20),
    steps_ms: steps,
  }) + '\n',
)
