// End-to-end ingest into SQLite: generated data at several scales, each in a
// fresh process and a fresh store. Reports rows/s, total time including the
// refresh, and peak RSS; then a 1% incremental batch on top of the largest.
// Usage: pnpm bench:ingest [scales...]   (default: 1 10 100)
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { generate } from '@vehicle-perf/core'
import { machineLine, formatRate } from './lib/machine.ts'

const scales = process.argv.slice(2).map(Number).filter((n) => n > 0)
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

function measure(dbFile: string, source: string): ChildResult {
  // Against the built packages, as the CLI runs (pnpm bench:ingest builds first): no tsconfig paths to sources, workers from dist/.
  const env = { ...process.env, TSX_TSCONFIG_PATH: join(import.meta.dirname, 'tsconfig.dist.json') }
  const stdout = execFileSync(process.execPath, ['--import', tsx, join(import.meta.dirname, 'lib/ingest-child.ts'), dbFile, source], { encoding: 'utf8', maxBuffer: 1 << 20, env })
  return JSON.parse(stdout.trim().split('\n').pop() as string) as ChildResult
}

function line(label: string, r: ChildResult): string {
  const rate = r.rows_read / (r.total_ms / 1000)
  return `| ${label} | ${r.rows_read.toLocaleString('en-US')} | ${(r.total_ms / 1000).toFixed(2)} s | ${(r.read_store_ms / 1000).toFixed(2)} s | ${((r.total_ms - r.read_store_ms) / 1000).toFixed(2)} s | ${formatRate(rate)} rows/s | ${r.vehicles_refreshed.toLocaleString('en-US')} | ${r.max_rss_mb} MB | ${r.cpu_s.toFixed(1)} s |`
}

mkdirSync(out, { recursive: true })
console.log(`machine: ${machineLine()}`)
console.log('| run | rows read | total | read+store | refresh+commit | throughput | vehicles refreshed | peak RSS | process CPU |')
console.log('|---|---|---|---|---|---|---|---|---|')
const results = new Map<number, ChildResult>()
for (const scale of scales.length > 0 ? scales : [1, 10, 100]) {
  const dir = dataFor(`scale-${scale}`, { outDir: '', scale, seed: SEED })
  const dbFile = join(out, `scale-${scale}.db`)
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true })
  const result = measure(dbFile, dir)
  if (result.failed_files > 0) throw new Error(`scale ${scale}: ${result.failed_files} files failed`)
  results.set(scale, result)
  console.log(line(`scale ${scale}, full`, result))
}
const largest = Math.max(...results.keys())
const full = results.get(largest) as ChildResult
// 1% of the largest run: the same vehicles' next month (same seed, so the same
// vehicle ids; fresh task and ride ids), at 1% of its scale.
const increment = dataFor(`increment-${largest}`, { outDir: '', scale: largest / 100, seed: SEED, startDate: '2019-06-01', idOffset: 900_000_000 })
const incremental = measure(join(out, `scale-${largest}.db`), increment)
console.log(line(`scale ${largest} + 1% batch`, incremental))
console.log(`incremental / full time: ${((incremental.total_ms / full.total_ms) * 100).toFixed(1)} % (target < 10 %)`)
