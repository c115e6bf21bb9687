// One measured ingest in a fresh process (so peak RSS is this ingest's own).
// Usage: node --import tsx/esm ingest-child.ts <store> <source>...
// <store>: a SQLite file, or postgres://...?schema=NAME.
import { readFileSync } from 'node:fs'
import { ingest } from '@vehicle-perf/core'
import { openBenchStore } from './open-store.ts'

const [location, ...sources] = process.argv.slice(2)
const adapter = openBenchStore(location as string, process.env.VP_CACHE_MB ? { cacheSizeMb: Number(process.env.VP_CACHE_MB) } : {})
await adapter.migrate()
const started = performance.now()
let refreshStarted = 0
let storeStarted = 0
// Where the time goes: each phase and store step, from the progress events.
const steps: Record<string, number> = {}
let current = ''
let currentStarted = started
// VP_TRACE=1: each step's start time, CPU and bytes written so far, on stderr.
const traceStep = (name: string, now: number): void => {
  const io = readFileSync('/proc/self/io', 'utf8')
  const written = Number(/write_bytes: (\d+)/.exec(io)?.[1] ?? 0)
  const usage = process.resourceUsage()
  process.stderr.write(`${((now - started) / 1000).toFixed(1)}s user ${(usage.userCPUTime / 1e6).toFixed(1)}s sys ${(usage.systemCPUTime / 1e6).toFixed(1)}s written ${(written / 2 ** 20).toFixed(0)} MB -> ${name}\n`)
}
const enter = (name: string): void => {
  if (name === current) return
  const now = performance.now()
  if (current !== '') steps[current] = Math.round((steps[current] ?? 0) + now - currentStarted)
  if (process.env.VP_TRACE) traceStep(name, now)
  current = name
  currentStarted = now
}
const report = await ingest({
  adapter,
  sources,
  onProgress: (p) => {
    // VP_READ_ONLY=1: the read phase alone; the process ends when it is over, the run uncommitted.
    if (process.env.VP_READ_ONLY && p.phase !== 'read') {
      process.stdout.write(`${JSON.stringify({ read_ms: Math.round(performance.now() - started), cpu_s: Math.round((process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e5) / 10 })}\n`)
      process.exit(0)
    }
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
