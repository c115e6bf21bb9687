// A soak: the real request mix (7 : 2 : 1, docs/domain.md §9) at full load
// on `vehicle-perf serve` for ten minutes, with an ingest of a new batch
// (`vehicle-perf ingest`, the way a cron job would) every minute, on SQLite
// and on PostgreSQL in turn. wrk runs in back-to-back slices of 10 s: rps,
// p99, connection errors and 5xx over time, the server's RSS after each
// slice, and each ingest's duration and the data version served after it.
// Usage: pnpm bench:soak [minutes] [--stores sqlite,postgres]   (default: 10, both; needs `apt-get install wrk`)
import { execFile, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { generate, ingest } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { start, wrkAsync, type WrkResult } from './lib/http-load.ts'
import { machineLine } from './lib/machine.ts'
import { inSchema, startPostgres } from './lib/postgres-server.ts'
import { processTreeRssMb } from './lib/process-cpu.ts'
import { writeRequestMix } from './lib/request-mix.ts'

const storesAt = process.argv.indexOf('--stores')
const stores = (storesAt === -1 ? 'sqlite,postgres' : (process.argv[storesAt + 1] ?? '')).split(',').filter((name) => name === 'sqlite' || name === 'postgres')
const positional = process.argv.slice(2).filter((_arg, i) => storesAt === -1 || (i + 2 !== storesAt && i + 2 !== storesAt + 1))
const minutes = Number(positional[0] ?? 10)
const SLICE_S = 10
const out = join(import.meta.dirname, '.out', 'soak')
const root = join(import.meta.dirname, '..')
const cli = join(root, 'packages/cli/dist/bin.js')
const PORT = 3831

interface Slice extends WrkResult {
  at_s: number
  rss_mb: number
  data_version: number | null
}
interface IngestRun {
  minute: number
  seconds: number
  status: string
  accepted: number | null
}

/** The base data (scale 1, May 2019), and a week's batch (about 28k rows) per minute after it: new rows of known vehicles. */
function prepareData(): { base: string; batches: string[] } {
  const base = join(out, 'base')
  if (!existsSync(join(base, 'expected-accounting.json'))) generate({ outDir: base, scale: 1, seed: 42 })
  const batches: string[] = []
  for (let i = 0; i < minutes; i++) {
    const dir = join(out, `batch-${i}`)
    const day = new Date(Date.UTC(2019, 5, 1 + 7 * i)).toISOString().slice(0, 10)
    if (!existsSync(join(dir, 'expected-accounting.json'))) generate({ outDir: dir, scale: 0.25, seed: 42, startDate: day, days: 7, batchDays: 7, idOffset: (i + 1) * 10_000_000 })
    batches.push(dir)
  }
  return { base, batches }
}

async function readyDataVersion(url: string): Promise<number | null> {
  try {
    return ((await (await fetch(`${url}/readyz`)).json()) as { data_version?: number }).data_version ?? null
  } catch {
    return null
  }
}

async function soak(name: string, db: string, batches: string[], pathsFile: string): Promise<{ slices: Slice[]; ingests: IngestRun[] }> {
  const server: ChildProcess = await start([cli, 'serve', '--db', db, '--port', String(PORT)], `http://127.0.0.1:${PORT}/readyz`)
  const url = `http://127.0.0.1:${PORT}`
  const pid = server.pid as number
  const slices: Slice[] = []
  const ingests: Promise<IngestRun>[] = []
  const started = performance.now()
  console.log(`${name}: start RSS ${processTreeRssMb(pid).toFixed(0)} MB`)
  const slicesPerMinute = 60 / SLICE_S
  for (let slice = 0; slice < minutes * slicesPerMinute; slice++) {
    // An ingest 20 s into every minute, while the load goes on.
    if (slice % slicesPerMinute === 2) {
      const minute = Math.floor(slice / slicesPerMinute)
      const t0 = performance.now()
      ingests.push(
        promisify(execFile)(process.execPath, [cli, 'ingest', batches[minute] as string, '--db', db, '--json'], { cwd: root, maxBuffer: 64 << 20 }).then(
          ({ stdout }) => {
            const report = JSON.parse(stdout) as { status: string; totals: { accepted: number } }
            return { minute, seconds: (performance.now() - t0) / 1000, status: report.status, accepted: report.totals.accepted }
          },
          (error: { stdout?: string; message: string }) => ({ minute, seconds: (performance.now() - t0) / 1000, status: `failed: ${error.message.split('\n')[0]}`, accepted: null }),
        ),
      )
    }
    const result = await wrkAsync(url, SLICE_S, pathsFile)
    const row: Slice = { ...result, at_s: Math.round((performance.now() - started) / 1000), rss_mb: processTreeRssMb(pid), data_version: await readyDataVersion(url) }
    slices.push(row)
    console.log(
      `${name} t=${String(row.at_s).padStart(4)} s: ${Math.round(row.rps)} rps, p99 ${row.p99_ms.toFixed(2)} ms, errors ${row.errors + row.timeouts}, 5xx ${row.statuses.other}, RSS ${row.rss_mb.toFixed(0)} MB, data version ${row.data_version}`,
    )
  }
  const runs = await Promise.all(ingests)
  for (const run of runs) console.log(`${name} ingest ${run.minute + 1}: ${run.status}, ${run.accepted} rows accepted in ${run.seconds.toFixed(1)} s`)
  server.kill('SIGTERM')
  await new Promise((resolve) => server.once('exit', resolve))
  return { slices, ingests: runs }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

mkdirSync(out, { recursive: true })
console.log(`machine: ${machineLine()}`)
const { base, batches } = prepareData()
// The base store, ingested once; every soak starts from a copy of it.
const baseStore = join(out, 'base.db')
if (!existsSync(baseStore)) {
  const adapter = createSqliteStorage({ filename: baseStore })
  await adapter.migrate()
  await ingest({ adapter, sources: [base] })
  await adapter.close()
}
const pathsFile = writeRequestMix(baseStore, 100_000, join(out, 'paths.txt'))
const results: Record<string, { slices: Slice[]; ingests: IngestRun[] }> = {}
for (const name of stores) {
  if (name === 'sqlite') {
    const filename = join(out, 'soak.db')
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${filename}${suffix}`, { force: true })
    cpSync(baseStore, filename)
    results[name] = await soak(name, `sqlite:${filename}`, batches, pathsFile)
  } else {
    const server = startPostgres({ primaryPort: 3841 })
    try {
      const adapter = createPostgresStorage({ connectionString: server.url })
      await adapter.migrate()
      await ingest({ adapter, sources: [base] })
      await adapter.close()
      results[name] = await soak(name, inSchema(server.url, 'vehicle_perf'), batches, pathsFile)
    } finally {
      server.stop()
    }
  }
}
writeFileSync(join(out, 'soak-results.json'), JSON.stringify(results, null, 2))
for (const [name, { slices, ingests }] of Object.entries(results)) {
  const firstMinute = slices.slice(0, 60 / SLICE_S)
  const lastMinute = slices.slice(-60 / SLICE_S)
  const sum = (pick: (s: Slice) => number): number => slices.reduce((n, s) => n + pick(s), 0)
  console.log(
    `${name}: ${minutes} min, ${sum((s) => s.requests)} requests; rps median ${Math.round(median(slices.map((s) => s.rps)))} (first minute ${Math.round(median(firstMinute.map((s) => s.rps)))}, last ${Math.round(median(lastMinute.map((s) => s.rps)))}), ` +
      `slice p99 median ${median(slices.map((s) => s.p99_ms)).toFixed(2)} ms, max ${Math.max(...slices.map((s) => s.p99_ms)).toFixed(2)} ms; connection errors ${sum((s) => s.errors + s.timeouts)}, 5xx ${sum((s) => s.statuses.other)}; ` +
      `RSS first minute ${median(firstMinute.map((s) => s.rss_mb)).toFixed(0)} MB, last ${median(lastMinute.map((s) => s.rss_mb)).toFixed(0)} MB, max ${Math.max(...slices.map((s) => s.rss_mb)).toFixed(0)} MB; ` +
      `ingests ${ingests.filter((run) => run.status === 'succeeded').length}/${ingests.length} succeeded, median ${median(ingests.map((run) => run.seconds)).toFixed(1)} s; data version ${slices[0]?.data_version} -> ${slices.at(-1)?.data_version}`,
  )
}
