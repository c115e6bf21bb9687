import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processTreeCpuMs } from './process-cpu.ts'

// A throwaway PostgreSQL for a benchmark, started and stopped by the
// project's own script (scripts/postgres.sh): a primary, and a hot standby
// and a transaction-mode PgBouncer in front of the primary when asked for.

const script = join(import.meta.dirname, '../../scripts/postgres.sh')

export interface PostgresServer {
  url: string
  standbyUrl: string | null
  poolerUrl: string | null
  /** CPU of the primary's processes (backends, writers, parallel workers) so far, in ms. */
  cpuMs(): number
  stop(): void
}

export function startPostgres(options: { primaryPort: number; standbyPort?: number; poolerPort?: number }): PostgresServer {
  const dir = mkdtempSync(join(tmpdir(), 'vehicle-perf-bench-pg-'))
  const run = (...args: string[]): string => execFileSync('bash', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()
  const url = run('start', dir, String(options.primaryPort))
  const standbyUrl = options.standbyPort === undefined ? null : run('standby', dir, String(options.primaryPort), String(options.standbyPort))
  const poolerUrl = options.poolerPort === undefined ? null : run('pooler', dir, String(options.primaryPort), String(options.poolerPort))
  const postmaster = Number(readFileSync(join(dir, 'primary/postmaster.pid'), 'utf8').split('\n')[0])
  return { url, standbyUrl, poolerUrl, cpuMs: () => processTreeCpuMs(postmaster, true), stop: () => void run('stop', dir) }
}

/** `url` with `?schema=`: the bench gives each run a schema of its own. */
export function inSchema(url: string, schema: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set('schema', schema)
  return parsed.toString()
}
