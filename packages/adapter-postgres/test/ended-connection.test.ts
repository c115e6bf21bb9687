import { randomBytes } from 'node:crypto'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { expect, inject, test } from 'vitest'
import { generate, ingest, isVehiclePerfError, type VehicleKey } from '@vehicle-perf/core'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { storeContentsOf, withClient } from './store-contents.js'

const url = inject('databaseUrl')

/** Ends the server process of the connection that holds `schema`'s ingest lock (an operator's pg_terminate_backend, a failover, a crashed backend). */
async function endIngestConnection(schema: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objid::bigint = (hashtext($1)::bigint & 4294967295)`,
      [`vehicle-perf:ingest:"${schema}"."store_meta"`],
    )
    return rows.filter((row) => row.ended).length
  })
}

test('an ingest whose connection the server ends mid-run fails with store_unreachable and its report, is recorded as failed, leaves the store as it was, and the next run works', async () => {
  const schema = `vp_test_${randomBytes(6).toString('hex')}`
  const dir = mkdtempSync(join(tmpdir(), 'vp-ended-'))
  const adapter = createPostgresStorage({ connectionString: url, schema })
  try {
    await adapter.migrate()
    generate({ outDir: dir, scale: 0.02, seed: 8 })
    const before = await storeContentsOf(url, schema)
    const [header, ...rows] = readFileSync(join(dir, 'rides_2019-05-01.csv'), 'utf8').split('\n')
    let ended = 0
    // The run's connection sits idle in its transaction while the file is read: the server ends it there.
    async function* ridesEndingTheConnection(): AsyncGenerator<string> {
      yield `${header}\n${rows.slice(0, 100).join('\n')}\n`
      ended = await endIngestConnection(schema)
      await new Promise((resolve) => setTimeout(resolve, 100))
      yield `${rows.slice(100).join('\n')}`
    }
    const failed = await ingest({ adapter, sources: [dir, { name: 'rides_ended.csv', stream: ridesEndingTheConnection(), kind: 'ride' }] }).then(
      () => null,
      (error: unknown) => error,
    )
    expect(ended).toBe(1)
    expect(isVehiclePerfError(failed) && failed.code).toBe('store_unreachable')
    expect(isVehiclePerfError(failed) && failed.report?.status).toBe('failed')
    // As it was, but for the failed run's record.
    const after = await storeContentsOf(url, schema)
    expect(after.runs.map((run) => run.status)).toEqual(['failed'])
    expect({ ...after, runs: [] }).toEqual(before)
    const stats = await adapter.stats()
    expect(stats.runs).toMatchObject({ succeeded: 0, failed: 1 })
    const again = await ingest({ adapter, sources: [dir] })
    expect(again.status).toBe('succeeded')
  } finally {
    await adapter.close()
    await withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a read whose connection the server ends while it runs is answered on another connection, not failed', async () => {
  const schema = `vp_test_${randomBytes(6).toString('hex')}`
  const dir = mkdtempSync(join(tmpdir(), 'vp-ended-read-'))
  const adapter = createPostgresStorage({ connectionString: url, schema })
  const blocker = new pg.Client({ connectionString: url })
  try {
    await adapter.migrate()
    generate({ outDir: dir, scale: 0.02, seed: 9 })
    await ingest({ adapter, sources: [dir] })
    const [key] = (await adapter.listKeys(1)[Symbol.asyncIterator]().next()).value.keys as VehicleKey[]
    const expected = await adapter.lookup(key as VehicleKey)
    // Hold the views so that the next lookup waits on the server, then end the connection it waits on.
    await blocker.connect()
    await blocker.query(`BEGIN; LOCK TABLE "${schema}".vehicle_views IN ACCESS EXCLUSIVE MODE`)
    const lookup = adapter.lookup(key as VehicleKey)
    let ended = 0
    for (let tries = 0; tries < 100 && ended === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      ended = await withClient(url, async (client) => {
        const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE NOT granted AND relation = $1::regclass`, [`"${schema}".vehicle_views`])
        for (const { pid } of rows) await client.query('SELECT pg_terminate_backend($1)', [pid])
        return rows.length
      })
    }
    await blocker.query('COMMIT')
    expect(ended).toBe(1)
    expect(await lookup).toEqual(expected)
  } finally {
    await blocker.end().catch(() => {})
    await adapter.close()
    await withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
    rmSync(dir, { recursive: true, force: true })
  }
})
