// HTTP load: the real mix (valid, unknown and malformed keys in 7 : 2 : 1,
// SPEC 9) against `vehicle-perf serve` on SQLite, and in the same run a bare
// node:http server answering a constant body of the same size. wrk (two
// threads: one alone limits the client; 50 connections) and the server share the 2 cores.
// Usage: pnpm bench:load [scale] [seconds]   (default: 1 15; needs `apt-get install wrk`)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { generate, ingest } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { formatRate, machineLine } from './lib/machine.ts'
import { Random } from './lib/random.ts'

const scale = Number(process.argv[2] ?? 1)
const seconds = Number(process.argv[3] ?? 15)
const out = join(import.meta.dirname, '.out')
const root = join(import.meta.dirname, '..')
const CONNECTIONS = 50

interface WrkResult {
  requests: number
  rps: number
  p50_ms: number
  p99_ms: number
  errors: number
  timeouts: number
  statuses: Record<'200' | '400' | '404' | 'other', number>
}

async function prepareStore(): Promise<string> {
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

/** Per 10 requests: 7 valid keys (uniform over every vehicle, half by QR code), 2 unknown, 1 malformed. */
function writeRequestMix(dbFile: string, count: number): string {
  const db = new Database(dbFile, { readonly: true })
  const vehicles = db.prepare('SELECT vehicle_id, qr_code FROM vehicle_views').all() as { vehicle_id: string; qr_code: string | null }[]
  db.close()
  const random = new Random(7)
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const slot = i % 10
    let key: string
    if (slot < 7) {
      const vehicle = vehicles[random.int(0, vehicles.length - 1)] as (typeof vehicles)[number]
      key = slot % 2 === 0 && vehicle.qr_code !== null ? vehicle.qr_code : vehicle.vehicle_id
    } else if (slot < 9) key = `unknown${String(i).padStart(13, '0')}`
    else key = `bad-key-${i}`
    lines.push(`/api/v1/vehicles/${key}`)
  }
  const file = join(out, `load-paths-${scale}.txt`)
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

async function start(args: string[], readyUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: root })
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      if ((await fetch(readyUrl)).ok) return child
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`not ready: ${readyUrl}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function wrk(url: string, duration: number, pathsFile: string | null): WrkResult {
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${duration}s`, '-s', join(import.meta.dirname, 'lib/mix.lua'), url]
  const stdout = execFileSync('wrk', args, { encoding: 'utf8', env: { ...process.env, VP_PATHS: pathsFile ?? join(out, 'bare-paths.txt') } })
  return JSON.parse(stdout.trim().split('\n').pop() as string) as WrkResult
}

function summary(r: WrkResult): string {
  return `${formatRate(r.rps)} rps, latency p50 ${r.p50_ms.toFixed(2)} ms p99 ${r.p99_ms.toFixed(2)} ms, errors ${r.errors}, timeouts ${r.timeouts}, statuses 200: ${r.statuses['200']} 400: ${r.statuses['400']} 404: ${r.statuses['404']} other: ${r.statuses.other}`
}

const dbFile = await prepareStore()
const pathsFile = writeRequestMix(dbFile, 100_000)
writeFileSync(join(out, 'bare-paths.txt'), '/\n')
console.log(`machine: ${machineLine()}`)
console.log(`store: scale ${scale} (SQLite), 100,000 request paths replayed, wrk -t2 -c${CONNECTIONS}, ${seconds} s after a 3 s warm-up`)

const server = await start([join(root, 'packages/cli/dist/bin.js'), 'serve', '--db', `sqlite:${dbFile}`, '--port', '3811'], 'http://127.0.0.1:3811/readyz')
const firstValid = (await import('node:fs')).readFileSync(pathsFile, 'utf8').split('\n')[0] as string
const bodyBytes = Buffer.byteLength(await (await fetch(`http://127.0.0.1:3811${firstValid}`)).text())
wrk('http://127.0.0.1:3811', 3, pathsFile)
const ours = wrk('http://127.0.0.1:3811', seconds, pathsFile)
server.kill('SIGTERM')

const bare = await start([join(import.meta.dirname, 'lib/bare-server.mjs'), '3812', String(bodyBytes)], 'http://127.0.0.1:3812/')
wrk('http://127.0.0.1:3812', 3, null)
const baseline = wrk('http://127.0.0.1:3812', seconds, null)
bare.kill('SIGTERM')

const total = ours.statuses['200'] + ours.statuses['400'] + ours.statuses['404'] + ours.statuses.other
console.log(`vehicle-perf serve: ${summary(ours)}`)
console.log(`bare node:http:     ${summary(baseline)}`)
console.log(
  `ratio: ${((ours.rps / baseline.rps) * 100).toFixed(1)} % of bare node:http; mix 200/404/400 = ${((ours.statuses['200'] / total) * 100).toFixed(1)} / ${((ours.statuses['404'] / total) * 100).toFixed(1)} / ${((ours.statuses['400'] / total) * 100).toFixed(1)} %; unexpected statuses: ${ours.statuses.other}; body ${bodyBytes} bytes`,
)
