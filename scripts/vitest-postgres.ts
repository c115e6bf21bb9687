// Vitest global setup: a throwaway PostgreSQL primary, a hot standby of it
// and a PgBouncer in transaction mode in front of it, on loopback, for the
// tests (scripts/postgres.sh), unless DATABASE_URL, DATABASE_STANDBY_URL and
// DATABASE_POOLER_URL point at servers already running. Tests read the URLs
// with inject('databaseUrl'), inject('standbyUrl') and inject('poolerUrl').
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { freePort } from './test-support/free-port.js'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    standbyUrl: string
    poolerUrl: string
  }
}

const script = join(import.meta.dirname, 'postgres.sh')


export default async function setup(project: TestProject): Promise<() => void> {
  const given = process.env.DATABASE_URL
  if (given !== undefined && given !== '') {
    const standby = process.env.DATABASE_STANDBY_URL
    if (standby === undefined || standby === '') throw new Error('DATABASE_URL is set but DATABASE_STANDBY_URL is not: the replica tests need a hot standby of it (or unset both to start a throwaway pair)')
    const pooler = process.env.DATABASE_POOLER_URL
    if (pooler === undefined || pooler === '') throw new Error('DATABASE_URL is set but DATABASE_POOLER_URL is not: the pooler tests need a transaction-mode PgBouncer in front of it (or unset both to start a throwaway set)')
    project.provide('databaseUrl', given)
    project.provide('standbyUrl', standby)
    project.provide('poolerUrl', pooler)
    return () => {}
  }
  const dir = mkdtempSync(join(tmpdir(), 'vehicle-perf-pg-'))
  const [primaryPort, standbyPort, poolerPort] = [await freePort(), await freePort(), await freePort()]
  const run = (...args: string[]): string => execFileSync('bash', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()
  project.provide('databaseUrl', run('start', dir, String(primaryPort)))
  project.provide('standbyUrl', run('standby', dir, String(primaryPort), String(standbyPort)))
  project.provide('poolerUrl', run('pooler', dir, String(primaryPort), String(poolerPort)))
  return () => {
    run('stop', dir)
  }
}
