// End-to-end ingest: generated data at several scales, each run in a fresh
// process and a fresh store. Reports rows/s, total time including the
// refresh, peak RSS and CPU; then a 1% incremental batch on top of the
// largest. With PostgreSQL (the default, when it is installed), the same
// files also go through a plain COPY into one-text-column tables with psql,
// the server's limit for moving the bytes (no parsing, no validation, no
// dedupe, no views), and the ingest's time is given as a share of it.
//
// The machine is shared and noisy (the plain COPY of scale 100 took 11 to 18 s
// within an hour), so with --rounds N each scale runs N rounds of COPY and
// ingests back to back, and the medians are given with every round.
//
// Usage: pnpm bench:ingest [scales...] [--stores sqlite,postgres] [--rounds N]   (default: 1 10 100, both, 1 round)
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { generate, kindFromFileName } from '@vehicle-perf/core'
import { machineLine, formatRate } from './lib/machine.ts'
import { inSchema, startPostgres, type PostgresServer } from './lib/postgres-server.ts'

const args = process.argv.slice(2)
const roundsAt = args.indexOf('--rounds')
const rounds = roundsAt === -1 ? 1 : Number(args[roundsAt + 1])
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number from 1')
const storesAt = args.indexOf('--stores')
const stores = (storesAt === -1 ? 'postgres,sqlite' : (args[storesAt + 1] ?? '')).split(',').filter((s) => s === 'postgres' || s === 'sqlite')
if (stores.length === 0) throw new Error('--stores takes postgres, sqlite or postgres,sqlite')
const optionValues = new Set([storesAt, roundsAt].filter((at) => at !== -1).map((at) => at + 1))
const scales = args.filter((arg, i) => !optionValues.has(i) && /^\d+(\.\d+)?$/.test(arg)).map(Number)
const out = join(import.meta.dirname, '.out')
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href
const SEED = 42

interface ChildResult {
  rows_read: number
  accepted: number
  failed_files: number
  vehicles_refreshed: number
  total_ms: number
  read_store_ms: number
  max_rss_mb: number
  cpu_s: number
}

function dataFor(name: string, options: Parameters<typeof generate>[0]): string {
  const dir = join(out, name)
  if (!existsSync(join(dir, 'expected-accounting.json'))) {
    rmSync(dir, { recursive: true, force: true })
    const started = performance.now()
    generate({ ...options, outDir: dir })
    console.log(`  generated ${name} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  return dir
}

function measure(store: string, source: string, server: PostgresServer | null): ChildResult & { server_cpu_s: number | null } {
  // Against the built packages, as the CLI runs (pnpm bench:ingest builds first): no tsconfig paths to sources, workers from dist/.
  const env = { ...process.env, TSX_TSCONFIG_PATH: join(import.meta.dirname, 'tsconfig.dist.json') }
  const serverBefore = server?.cpuMs() ?? 0
  const stdout = execFileSync(process.execPath, ['--import', tsx, join(import.meta.dirname, 'lib/ingest-child.ts'), store, source], { encoding: 'utf8', maxBuffer: 1 << 20, env })
  const result = JSON.parse(stdout.trim().split('\n').pop() as string) as ChildResult
  return { ...result, server_cpu_s: server === null ? null : Math.round((server.cpuMs() - serverBefore) / 100) / 10 }
}

/** A plain COPY of every file, a line a row into one text column, with psql: the server's limit for moving the bytes. */
function plainCopyMs(server: PostgresServer, dir: string, schema: string): { ms: number; server_cpu_s: number } {
  const psql = (sql: string): void => void execFileSync('psql', [server.url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] })
  psql(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.deployments (line text); CREATE TABLE ${schema}.pickups (line text); CREATE TABLE ${schema}.rides (line text)`)
  const files = readdirSync(dir).filter((name) => name.endsWith('.csv')).sort()
  const serverBefore = server.cpuMs()
  const started = performance.now()
  for (const name of files) {
    const table = `${schema}.${kindFromFileName(name)}s`
    psql(`\\copy ${table} FROM '${join(dir, name)}' WITH (FORMAT csv, HEADER true, DELIMITER E'\\x01', QUOTE E'\\x02')`)
  }
  return { ms: performance.now() - started, server_cpu_s: Math.round((server.cpuMs() - serverBefore) / 100) / 10 }
}

function line(label: string, r: ChildResult & { server_cpu_s: number | null }, copyMs: number | null): string {
  const rate = r.rows_read / (r.total_ms / 1000)
  const share = copyMs === null ? '' : ` ${((copyMs / r.total_ms) * 100).toFixed(1)} % |`
  return `| ${label} | ${r.rows_read.toLocaleString('en-US')} | ${(r.total_ms / 1000).toFixed(2)} s | ${(r.read_store_ms / 1000).toFixed(2)} s | ${((r.total_ms - r.read_store_ms) / 1000).toFixed(2)} s | ${formatRate(rate)} rows/s |${share === '' ? ' |' : share} ${r.max_rss_mb} MB | ${r.cpu_s.toFixed(1)} s | ${r.server_cpu_s === null ? '' : `${r.server_cpu_s.toFixed(1)} s`} |`
}

mkdirSync(out, { recursive: true })
console.log(`machine: ${machineLine()}`)
const server = stores.includes('postgres') ? startPostgres({ primaryPort: 54_000 + (process.pid % 1000) }) : null
try {
  if (server !== null) console.log(`PostgreSQL: ${execFileSync('psql', [server.url, '-Atc', 'SHOW server_version'], { encoding: 'utf8' }).trim()}, a throwaway cluster from scripts/postgres.sh (fsync off)`)
  console.log('| run | rows read | total | read + settle | refresh + commit | throughput | plain COPY / total | peak RSS | process CPU | server CPU |')
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  const full = new Map<string, ChildResult>()
  const requested = scales.length > 0 ? scales : [1, 10, 100]
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b)
    const middle = sorted.length / 2
    return Number.isInteger(middle) ? ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2 : (sorted[Math.floor(middle)] as number)
  }
  for (const scale of requested) {
    const dir = dataFor(`scale-${scale}`, { outDir: '', scale, seed: SEED })
    const totals: Record<string, number[]> = { copy: [], postgres: [], sqlite: [] }
    const shares: number[] = []
    for (let round = 1; round <= rounds; round++) {
      const tag = rounds > 1 ? ` (round ${round})` : ''
      let copyMs: number | null = null
      if (server !== null) {
        const copy = plainCopyMs(server, dir, `copy_${String(scale).replace('.', '_')}_${round}`)
        copyMs = copy.ms
        totals.copy?.push(copy.ms)
        console.log(`| scale ${scale}, plain COPY (psql, text)${tag} | | ${(copy.ms / 1000).toFixed(2)} s | | | | 100 % | | | ${copy.server_cpu_s.toFixed(1)} s |`)
      }
      for (const store of stores) {
        const location = store === 'postgres' ? inSchema((server as PostgresServer).url, `vp_${String(scale).replace('.', '_')}_${round}`) : join(out, `scale-${scale}.db`)
        if (store === 'sqlite') for (const suffix of ['', '-wal', '-shm']) rmSync(location + suffix, { force: true })
        const result = measure(location, dir, store === 'postgres' ? server : null)
        if (result.failed_files > 0) throw new Error(`scale ${scale}: ${result.failed_files} files failed`)
        full.set(`${store}:${scale}`, result)
        totals[store]?.push(result.total_ms)
        if (store === 'postgres' && copyMs !== null) shares.push(copyMs / result.total_ms)
        console.log(line(`scale ${scale}, ${store}${tag}`, result, store === 'postgres' ? copyMs : null))
      }
    }
    if (rounds > 1) {
      const parts = Object.entries(totals).filter(([, values]) => values.length > 0).map(([name, values]) => `${name} ${(median(values) / 1000).toFixed(2)} s`)
      console.log(`| scale ${scale}, medians of ${rounds} rounds: ${parts.join(', ')}${shares.length > 0 ? `; plain COPY / PostgreSQL ingest, median of the rounds' ratios: ${(median(shares) * 100).toFixed(1)} %` : ''} |`)
    }
  }
  const largest = Math.max(...requested)
  // 1% of the largest run: the same vehicles' next month (same seed, so the same
  // vehicle ids; fresh task and ride ids), at 1% of its scale.
  const increment = dataFor(`increment-${largest}`, { outDir: '', scale: largest / 100, seed: SEED, startDate: '2019-06-01', idOffset: 900_000_000 })
  for (const store of stores) {
    const location = store === 'postgres' ? inSchema((server as PostgresServer).url, `vp_${String(largest).replace('.', '_')}_${rounds}`) : join(out, `scale-${largest}.db`)
    const incremental = measure(location, increment, store === 'postgres' ? server : null)
    console.log(line(`scale ${largest} + 1% batch, ${store}`, incremental, null))
    const whole = full.get(`${store}:${largest}`) as ChildResult
    console.log(`${store}: incremental / full time: ${((incremental.total_ms / whole.total_ms) * 100).toFixed(1)} % (target < 10 %)`)
  }
} finally {
  server?.stop()
}
