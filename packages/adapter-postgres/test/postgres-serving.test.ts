import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { generate, ingest, type StorageAdapter } from '@vehicle-perf/core'
import { csv, DEPLOYMENT_HEADER, fixtureId, RIDE_HEADER } from '@vehicle-perf/core/testing'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { createNodeListener, serveNode, type RunningServer } from '@vehicle-perf/http'
import { storeContentsOf, withClient } from './store-contents.js'
import { canMountTmpfs, growTmpfs, withTmpfs } from '../../../scripts/test-support/tmpfs.js'
import { eventually } from '../../../scripts/test-support/eventually.js'
import { expectNoFailedRequestDuringIngest } from '../../../scripts/test-support/ingest-under-load.js'
import { freePort } from '../../../scripts/test-support/free-port.js'

const url = inject('databaseUrl')
const standbyUrl = inject('standbyUrl')
const root = join(import.meta.dirname, '../../..')
const script = join(root, 'scripts/postgres.sh')

function freshSchema(): string {
  return `vp_test_${randomBytes(6).toString('hex')}`
}

function dropSchema(connection: string, schema: string): Promise<void> {
  return withClient(connection, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
}

const deployment = (n: number, vehicle: string): string => `${fixtureId(`D${n}`)},${fixtureId(vehicle)},2019-05-01 09:00:00 UTC,2019-05-01 10:00:00 UTC`
const ride = (n: number, vehicle: string): string => `${fixtureId(`R${n}`)},${fixtureId(vehicle)},2019-05-01 11:00:00 UTC,2019-05-01 11:10:00 UTC,48.83,2.38,48.83,2.36,2.50`


describe('reading from a hot standby', () => {
  test('a server reading a standby serves the second batch once the standby has replayed its commit, and /readyz gives the replay lag', async () => {
    const schema = freshSchema()
    const primary = createPostgresStorage({ connectionString: url, schema })
    const standby = createPostgresStorage({ connectionString: standbyUrl, schema, readOnly: true })
    let server: RunningServer | null = null
    try {
      await primary.migrate()
      await ingest({ adapter: primary, sources: [{ name: 'deployments_1.csv', stream: [csv(DEPLOYMENT_HEADER, deployment(1, 'VFIRST'))] }] })
      // The standby has the schema once it has replayed the migration and the first run.
      await eventually(async () => (await standby.migrate(), (await standby.meta()).dataVersion === 1), 15_000)
      server = await serveNode({ app: createNodeListener({ adapter: standby }), port: 0, host: '127.0.0.1' })
      const status = async (vehicle: string): Promise<number> => (await fetch(`${server?.url}/api/v1/vehicles/${fixtureId(vehicle)}`)).status
      expect(await status('VFIRST')).toBe(200)
      expect(await status('VSECOND')).toBe(404)

      await ingest({ adapter: primary, sources: [{ name: 'rides_2.csv', stream: [csv(RIDE_HEADER, ride(2, 'VSECOND'))] }] })
      await eventually(async () => (await status('VSECOND')) === 200, 15_000)
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { status: string; data_version: number; replica_lag_ms: number }
      expect(ready).toMatchObject({ status: 'ready', data_version: 2 })
      expect(typeof ready.replica_lag_ms).toBe('number')
      expect(ready.replica_lag_ms).toBeGreaterThanOrEqual(0)
      // A primary is no replica: no lag to give.
      expect(await primary.replicaLagMs?.()).toBeNull()
    } finally {
      await server?.close()
      await standby.close()
      await primary.close()
      await dropSchema(url, schema)
    }
  }, 60_000)

  test('a standby adapter refuses to ingest, and says to migrate the primary when the schema is not there', async () => {
    const schema = freshSchema()
    const standby = createPostgresStorage({ connectionString: standbyUrl, schema, readOnly: true })
    try {
      await expect(standby.migrate()).rejects.toMatchObject({ code: 'store_unreachable', store: 'postgres' })
      await expect(standby.beginIngest({ runId: 'x', startedAt: new Date() })).rejects.toMatchObject({ code: 'invalid_option' })
    } finally {
      await standby.close()
    }
  })
})

describe('postgres ingest lock and migrations', () => {
  test('an ingest waiting for another one fails with store_busy after its timeout, saying another ingest is running', async () => {
    const schema = freshSchema()
    const holder = createPostgresStorage({ connectionString: url, schema })
    const waiting = createPostgresStorage({ connectionString: url, schema, lockTimeoutMs: 300 })
    try {
      await holder.migrate()
      const held = await holder.beginIngest({ runId: 'held', startedAt: new Date() })
      const started = performance.now()
      const error = await ingest({ adapter: waiting, sources: [{ name: 'deployments.csv', stream: [csv(DEPLOYMENT_HEADER, deployment(1, 'V1'))] }] }).catch((e: unknown) => e)
      expect(performance.now() - started).toBeGreaterThanOrEqual(280)
      expect(error).toMatchObject({ code: 'store_busy', store: 'postgres' })
      expect((error as Error).message).toMatch(/another ingest is running/)
      await held.rollback({ run_id: 'held', status: 'failed', started_at: new Date().toISOString(), finished_at: null, as_of: null, policy: 'recent', files: [], vehicles_refreshed: 0, data_version: 0, totals: { files: 0, failed_files: 0, rows_read: 0, accepted: 0, duplicates: { exact: 0, conflict: 0 }, rejected: { rows: 0, reasons: {} } } })
      const report = await ingest({ adapter: waiting, sources: [{ name: 'deployments.csv', stream: [csv(DEPLOYMENT_HEADER, deployment(1, 'V1'))] }] })
      expect(report.totals.accepted).toBe(1)
    } finally {
      await holder.close()
      await waiting.close()
      await dropSchema(url, schema)
    }
  })

  test('an ingest while a server on the same schema is under load fails no request, and the new data is served once the run commits', async () => {
    const schema = freshSchema()
    const dir = mkdtempSync(join(tmpdir(), 'vp-pg-load-'))
    const writer = createPostgresStorage({ connectionString: url, schema })
    const reader = createPostgresStorage({ connectionString: url, schema, readOnly: true })
    try {
      await expectNoFailedRequestDuringIngest(writer, reader, dir)
    } finally {
      await reader.close()
      await writer.close()
      await dropSchema(url, schema)
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  test('migrations started by several processes at once all succeed and create the schema once', async () => {
    const schema = freshSchema()
    const adapters = Array.from({ length: 4 }, () => createPostgresStorage({ connectionString: url, schema }))
    try {
      await Promise.all(adapters.map((adapter) => adapter.migrate()))
      expect(await (adapters[0] as StorageAdapter).meta()).toMatchObject({ dataVersion: 0, nextSeq: 1 })
      const version = await withClient(url, async (client) => (await client.query(`SELECT schema_version FROM "${schema}".store_meta`)).rows)
      expect(version).toEqual([{ schema_version: 3 }])
    } finally {
      await Promise.all(adapters.map((adapter) => adapter.close()))
      await dropSchema(url, schema)
    }
  })
})

describe('a PostgreSQL server that goes away', () => {
  let dir: string
  let port: number
  let serverUrl: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vp-pg-outage-'))
    port = await freePort()
    serverUrl = execFileSync('bash', [script, 'start', dir, String(port)], { encoding: 'utf8' }).trim()
  })
  afterAll(() => {
    execFileSync('bash', [script, 'stop', dir])
  })

  test('the API answers 503 with Retry-After within a bounded time while it is down, and 200 again once it is back, without a restart', async () => {
    const writer = createPostgresStorage({ connectionString: serverUrl })
    await writer.migrate()
    await ingest({ adapter: writer, sources: [{ name: 'deployments.csv', stream: [csv(DEPLOYMENT_HEADER, deployment(1, 'VUP'))] }] })
    await writer.close()
    const adapter = createPostgresStorage({ connectionString: serverUrl, readOnly: true, statementTimeoutMs: 2000 })
    await adapter.migrate()
    // No answer cache: every request goes to the store.
    const server = await serveNode({ app: createNodeListener({ adapter, cache: false, onError: () => {} }), port: 0, host: '127.0.0.1' })
    try {
      const path = `${server.url}/api/v1/vehicles/${fixtureId('VUP')}`
      expect((await fetch(path)).status).toBe(200)
      execFileSync('bash', [script, 'pause', dir])
      const started = performance.now()
      const down = await fetch(path)
      expect(performance.now() - started).toBeLessThan(5000)
      expect(down.status).toBe(503)
      expect(down.headers.get('retry-after')).toBe('5')
      expect(down.headers.get('content-type')).toBe('application/problem+json')
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503)
      execFileSync('bash', [script, 'resume', dir, String(port)])
      await eventually(async () => (await fetch(path)).status === 200, 15_000)
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
    } finally {
      await server.close()
      await adapter.close()
    }
  }, 60_000)
})

describe.skipIf(!canMountTmpfs)('a full disk under PostgreSQL', () => {
  test('the run fails with disk_full and its report, the store is as it was, and once there is room the next run stores everything', () =>
    withTmpfs(4096, async (disk) => {
      execFileSync('chown', ['postgres', disk])
      const schema = freshSchema()
      const tablespace = `${schema}_space`
      const data = mkdtempSync(join(tmpdir(), 'vp-pg-full-'))
      await withClient(url, async (client) => void (await client.query(`CREATE TABLESPACE ${tablespace} LOCATION '${disk}'`)))
      // Every table of the schema goes to the small tablespace: the connection's default.
      const small = new URL(url)
      small.searchParams.set('options', `-c default_tablespace=${tablespace}`)
      const adapter = createPostgresStorage({ connectionString: small.toString(), schema })
      try {
        generate({ outDir: data, scale: 0.3, seed: 9 })
        await adapter.migrate()
        await ingest({ adapter, sources: [{ name: 'deployments_0.csv', stream: [csv(DEPLOYMENT_HEADER, deployment(1, 'V1'))] }] })
        const before = await storeContentsOf(url, schema)
        const error = await ingest({ adapter, sources: [data] }).catch((e: unknown) => e)
        expect(error).toMatchObject({ code: 'disk_full', store: 'postgres' })
        expect((error as { report?: { status: string } }).report).toMatchObject({ status: 'failed', error: { code: 'disk_full' } })
        // The rolled-back rows keep their space until a vacuum: with the disk
        // still full, the failed run cannot be recorded either, and says so.
        expect((error as Error).message).toMatch(/rolling the run back failed too: .*disk is full/)
        expect(await storeContentsOf(url, schema)).toEqual(before)
        growTmpfs(disk, 4 * 4096)
        const report = await ingest({ adapter, sources: [data] })
        expect(report).toMatchObject({ status: 'succeeded' })
        expect(report.totals.accepted).toBeGreaterThan(0)
        const after = await storeContentsOf(url, schema)
        expect(after.rows.length).toBe(before.rows.length + report.totals.accepted)
      } finally {
        await adapter.close()
        await dropSchema(url, schema)
        await withClient(url, async (client) => void (await client.query(`DROP TABLESPACE IF EXISTS ${tablespace}`)))
        rmSync(data, { recursive: true, force: true })
      }
    }), 60_000)
})
