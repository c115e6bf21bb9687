// HTTP load: the real mix (valid, unknown and malformed keys in 7 : 2 : 1,
// docs/domain.md §9) against `vehicle-perf serve` on SQLite, and in the same run a bare
// node:http server answering a constant body of the same size. wrk (two
// threads: one alone limits the client; 50 connections) and the server share the 2 cores.
// The machine is shared and noisy: rounds alternate between the two servers
// and the figures are medians over rounds, the ratio the median of each
// round's ratio.
// With --stores sqlite,postgres,standby,pooled the same data is served from
// SQLite, from a PostgreSQL primary, from its hot standby and from the
// primary through PgBouncer in transaction mode (?pooler=transaction; all
// throwaway, from scripts/postgres.sh), each in turn within every round.
// Usage: pnpm bench:load [scale] [seconds per round] [workers] [--stores ...]   (default: 1 8 1 sqlite; needs `apt-get install wrk`)
// VP_PACE_MS=N paces every connection (0 to 2N ms between requests, lib/mix.lua): latency below saturation.
import type { ChildProcess } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generate, ingest } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { inSchema, startPostgres } from './lib/postgres-server.ts'
import { formatRate, machineLine } from './lib/machine.ts'
import { processTreeCpuMs } from './lib/process-cpu.ts'
import { writeRequestMix } from './lib/request-mix.ts'
import { CONNECTIONS, start, wrk, type WrkResult } from './lib/http-load.ts'

const storesAt = process.argv.indexOf('--stores')
const positional = process.argv.slice(2).filter((_arg, i) => storesAt === -1 || (i + 2 !== storesAt && i + 2 !== storesAt + 1))
const stores = (storesAt === -1 ? 'sqlite' : (process.argv[storesAt + 1] ?? '')).split(',').filter((name) => ['sqlite', 'postgres', 'standby', 'pooled'].includes(name))
const scale = Number(positional[0] ?? 1)
const seconds = Number(positional[1] ?? 8)
// HTTP processes for every server (serve --workers N; the bare one forks as many).
const workers = Number(positional[2] ?? 1)
const ROUNDS = 3
const out = join(import.meta.dirname, '.out')
const root = join(import.meta.dirname, '..')

async function prepareStore(): Promise<string> {
  // Reuse the store the ingest benchmark built for this scale, if any.
  const ingested = join(out, `scale-${scale}.db`)
  if (existsSync(ingested) && !existsSync(`${ingested}-wal`)) return ingested
  const dbFile = join(out, `load-scale-${scale}.db`)
  if (existsSync(dbFile)) return dbFile
  const dir = join(out, `scale-${scale}`)
  if (!existsSync(join(dir, 'expected-accounting.json'))) generate({ outDir: dir, scale, seed: 42 })
  const adapter = createSqliteStorage({ filename: dbFile })
  await adapter.migrate()
  await ingest({ adapter, sources: [dir] })
  await adapter.close()
  return dbFile
}

function summary(r: WrkResult): string {
  return `${formatRate(r.rps)} rps, server CPU ${r.cpu_us_per_request?.toFixed(1) ?? '?'} us/request, latency p50 ${r.p50_ms.toFixed(2)} ms p99 ${r.p99_ms.toFixed(2)} ms, errors ${r.errors}, timeouts ${r.timeouts}, statuses 200: ${r.statuses['200']} 400: ${r.statuses['400']} 404: ${r.statuses['404']} other: ${r.statuses.other}`
}

const dbFile = await prepareStore()
const pathsFile = writeRequestMix(dbFile, 100_000, join(out, `load-paths-${scale}.txt`))
const barePaths = join(out, 'bare-paths.txt')
writeFileSync(barePaths, '/\n')
console.log(`machine: ${machineLine()}`)
console.log(`stores: ${stores.join(', ')}, scale ${scale}, 100,000 request paths replayed, wrk -t2 -c${CONNECTIONS}${process.env.VP_PACE_MS ? `, paced ${process.env.VP_PACE_MS} ms` : ''}, ${ROUNDS} rounds of ${seconds} s, ${workers} HTTP process(es) per server, after a ${3 + Math.round(scale / 5)} s warm-up`)

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

/** The same data in PostgreSQL, on a primary and a hot standby that has replayed it. */
async function preparePostgres(): Promise<{ primary: string; standby: string; pooled: string; stop: () => void }> {
  const server = startPostgres({ primaryPort: 3821, standbyPort: 3822, poolerPort: 3823 })
  const primary = inSchema(server.url, 'vehicle_perf')
  const adapter = createPostgresStorage({ connectionString: server.url })
  await adapter.migrate()
  await ingest({ adapter, sources: [join(out, `scale-${scale}`)] })
  await adapter.close()
  const replica = createPostgresStorage({ connectionString: server.standbyUrl as string, readOnly: true })
  const deadline = Date.now() + 120_000
  for (;;) {
    const replayed = await replica.meta().then((meta) => meta.dataVersion > 0, () => false)
    if (replayed || Date.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  await replica.close()
  const pooled = new URL(inSchema(server.poolerUrl as string, 'vehicle_perf'))
  pooled.searchParams.set('pooler', 'transaction')
  return { primary, standby: inSchema(server.standbyUrl as string, 'vehicle_perf'), pooled: pooled.toString(), stop: server.stop }
}

const postgres = stores.some((name) => name !== 'sqlite') ? await preparePostgres() : null
const locations: Record<string, string> = { sqlite: `sqlite:${dbFile}`, postgres: postgres?.primary ?? '', standby: postgres?.standby ?? '', pooled: postgres?.pooled ?? '' }
const servers: { name: string; url: string; child: ChildProcess }[] = []
for (const [i, name] of stores.entries()) {
  // Clear of the bare servers (3812, 3813) and PostgreSQL's (3821-3823).
  const port = i === 0 ? 3811 : 3830 + i
  const child = await start([join(root, 'packages/cli/dist/bin.js'), 'serve', '--db', locations[name] as string, '--port', String(port), '--workers', String(workers)], `http://127.0.0.1:${port}/readyz`)
  servers.push({ name, url: `http://127.0.0.1:${port}`, child })
}
const bare = await start([join(import.meta.dirname, 'lib/bare-server.mjs'), '3812', '2000'], 'http://127.0.0.1:3812/')
const firstValid = (await import('node:fs')).readFileSync(pathsFile, 'utf8').split('\n')[0] as string
const bodyBytes = Buffer.byteLength(await (await fetch(`${(servers[0] as { url: string }).url}${firstValid}`)).text())
bare.kill('SIGTERM')
const sameSize = await start([join(import.meta.dirname, 'lib/bare-server.mjs'), '3813', String(bodyBytes), String(workers)], 'http://127.0.0.1:3813/')
// Larger stores need longer for their pages to reach the OS page cache.
const warmUp = 3 + Math.round(scale / 5)
for (const server of servers) wrk(server.url, warmUp, pathsFile)
wrk('http://127.0.0.1:3813', 3, barePaths)
const results = new Map<string, WrkResult[]>(servers.map((server) => [server.name, []]))
const baseline: WrkResult[] = []
/** A wrk round, with the server's CPU time per request over it. */
function measuredRound(url: string, pid: number, paths: string): WrkResult {
  const before = processTreeCpuMs(pid)
  const result = wrk(url, seconds, paths)
  return { ...result, cpu_us_per_request: ((processTreeCpuMs(pid) - before) * 1000) / result.requests }
}
for (let round = 0; round < ROUNDS; round++) {
  for (const server of servers) {
    const result = measuredRound(server.url, server.child.pid as number, pathsFile)
    results.get(server.name)?.push(result)
    console.log(`round ${round + 1}: ${server.name} ${summary(result)}`)
  }
  baseline.push(measuredRound('http://127.0.0.1:3813', sameSize.pid as number, barePaths))
  console.log(`         bare node:http ${summary(baseline[round] as WrkResult)}`)
}
for (const server of servers) server.child.kill('SIGTERM')
sameSize.kill('SIGTERM')
postgres?.stop()

const cpu = (runs: WrkResult[]): number => median(runs.map((r) => r.cpu_us_per_request ?? Number.NaN))
console.log(`bare node:http: median ${formatRate(median(baseline.map((r) => r.rps)))} rps, p99 ${median(baseline.map((r) => r.p99_ms)).toFixed(2)} ms, server CPU ${cpu(baseline).toFixed(1)} us/request`)
for (const server of servers) {
  const ours = results.get(server.name) as WrkResult[]
  const statuses = { '200': 0, '400': 0, '404': 0, other: 0 }
  for (const r of ours) for (const key of Object.keys(statuses) as (keyof typeof statuses)[]) statuses[key] += r.statuses[key]
  const total = statuses['200'] + statuses['400'] + statuses['404'] + statuses.other
  const ratios = ours.map((r, i) => r.rps / (baseline[i] as WrkResult).rps)
  console.log(
    `${server.name}: median over ${ROUNDS} rounds ${formatRate(median(ours.map((r) => r.rps)))} rps (p50 ${median(ours.map((r) => r.p50_ms)).toFixed(2)} ms, p99 ${median(ours.map((r) => r.p99_ms)).toFixed(2)} ms); ` +
      `ratio ${(median(ratios) * 100).toFixed(1)} % of bare; server CPU ${cpu(ours).toFixed(1)} us/request (bare / ours ${((cpu(baseline) / cpu(ours)) * 100).toFixed(1)} %)`,
  )
  console.log(
    `  mix 200/404/400 = ${((statuses['200'] / total) * 100).toFixed(1)} / ${((statuses['404'] / total) * 100).toFixed(1)} / ${((statuses['400'] / total) * 100).toFixed(1)} %; unexpected statuses: ${statuses.other}; connection errors: ${ours.reduce((n, r) => n + r.errors, 0)}; timeouts: ${ours.reduce((n, r) => n + r.timeouts, 0)}; body ${bodyBytes} bytes`,
  )
}
