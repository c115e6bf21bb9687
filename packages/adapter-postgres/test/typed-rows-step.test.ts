import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { createMemoryStorage, generate, ingest, type StorageAdapter, type StoredRow } from '@vehicle-perf/core'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { answersOf, storeContentsOf, withClient } from './store-contents.js'

const url = inject('databaseUrl')

let dataDir = ''
let reference: StorageAdapter

/** Every key the reference store finds, and `adapter`'s answer to it. */
const answers = (adapter: StorageAdapter): Promise<Map<string, string>> => answersOf(reference, adapter)

const bySeq = (a: StoredRow, b: StoredRow): number => a.seq - b.seq

/**
 * Turns a store of this version into the store schema 2 made of the same
 * data: rows in three typed tables (as schema 2 defined them), no
 * vehicle_rows, no key index, no key seed.
 */
async function asSchema2(schema: string, rows: readonly StoredRow[]): Promise<void> {
  await withClient(url, async (client) => {
    const s = `"${schema}"`
    await client.query(`
      DROP TABLE ${s}.vehicle_rows, ${s}.key_index;
      ALTER TABLE ${s}.store_meta DROP COLUMN key_seed, DROP COLUMN packed_rows_format;
      UPDATE ${s}.store_meta SET schema_version = 2;
      CREATE TABLE ${s}.deployments (task_id text COLLATE "C" PRIMARY KEY, vehicle_id text COLLATE "C" NOT NULL, seq bigint NOT NULL, created_at bigint NOT NULL, resolved_at bigint NOT NULL);
      CREATE INDEX deployments_vehicle ON ${s}.deployments (vehicle_id, seq);
      CREATE TABLE ${s}.pickups (task_id text COLLATE "C" PRIMARY KEY, vehicle_id text COLLATE "C" NOT NULL, seq bigint NOT NULL, qr_code text COLLATE "C" NOT NULL, created_at bigint NOT NULL, resolved_at bigint NOT NULL);
      CREATE INDEX pickups_vehicle ON ${s}.pickups (vehicle_id, seq);
      CREATE TABLE ${s}.rides (ride_id text COLLATE "C" PRIMARY KEY, vehicle_id text COLLATE "C" NOT NULL, seq bigint NOT NULL, started_at bigint NOT NULL, ended_at bigint NOT NULL,
        start_lat float8, start_lng float8, end_lat float8, end_lng float8, amount_cents bigint);
      CREATE INDEX rides_vehicle ON ${s}.rides (vehicle_id, seq);`)
    const of = <K extends StoredRow['kind']>(kind: K) => rows.filter((row): row is Extract<StoredRow, { kind: K }> => row.kind === kind)
    const deployments = of('deployment')
    await client.query(`INSERT INTO ${s}.deployments SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::int8[])`, [
      deployments.map((r) => r.taskId),
      deployments.map((r) => r.vehicleId),
      deployments.map((r) => r.seq),
      deployments.map((r) => r.createdAt),
      deployments.map((r) => r.resolvedAt),
    ])
    const pickups = of('pickup')
    await client.query(`INSERT INTO ${s}.pickups SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::int8[], $6::int8[])`, [
      pickups.map((r) => r.taskId),
      pickups.map((r) => r.vehicleId),
      pickups.map((r) => r.seq),
      pickups.map((r) => r.qrCode),
      pickups.map((r) => r.createdAt),
      pickups.map((r) => r.resolvedAt),
    ])
    const rides = of('ride')
    await client.query(`INSERT INTO ${s}.rides SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::int8[])`, [
      rides.map((r) => r.rideId),
      rides.map((r) => r.vehicleId),
      rides.map((r) => r.seq),
      rides.map((r) => r.startedAt),
      rides.map((r) => r.endedAt),
      rides.map((r) => r.start?.lat ?? null),
      rides.map((r) => r.start?.lng ?? null),
      rides.map((r) => r.end?.lat ?? null),
      rides.map((r) => r.end?.lng ?? null),
      rides.map((r) => r.amountCents),
    ])
  })
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vp-typed-rows-'))
  generate({ outDir: dataDir, scale: 0.03, seed: 41 })
  reference = createMemoryStorage()
  await reference.migrate()
  await ingest({ adapter: reference, sources: [dataDir] })
})

afterAll(async () => {
  await reference?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('a store made when rows were typed tables (schema 2)', () => {
  test('migrate packs its rows into vehicle blobs and the key index: every row, answer and history kept, the typed tables gone, and a re-ingest finds every row stored', async () => {
    const schema = `vp_typed_${randomBytes(6).toString('hex')}`
    const adapter = createPostgresStorage({ connectionString: url, schema })
    let upgraded: StorageAdapter | null = null
    try {
      await adapter.migrate()
      const first = await ingest({ adapter, sources: [dataDir] })
      await adapter.close()
      const rows = (await storeContentsOf(url, schema)).rows
      expect(rows.length).toBe(first.totals.accepted)
      await asSchema2(schema, rows)

      upgraded = createPostgresStorage({ connectionString: url, schema })
      await upgraded.migrate()
      const tables = await withClient(url, async (client) => (await client.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1', [schema])).rows.map((row) => row.name))
      expect(tables.filter((name) => ['deployments', 'pickups', 'rides'].includes(name))).toEqual([])
      expect(await withClient(url, async (client) => (await client.query(`SELECT schema_version FROM "${schema}".store_meta`)).rows)).toEqual([{ schema_version: 3 }])
      expect((await storeContentsOf(url, schema)).rows.sort(bySeq)).toEqual([...rows].sort(bySeq))
      expect(await answers(upgraded)).toEqual(await answers(reference))
      const vehicle = rows[0]?.vehicleId as string
      expect(await upgraded.vehicleRows(vehicle)).toEqual(await reference.vehicleRows(vehicle))

      // The key index was built under the store's seed: the same files again store nothing, every row a duplicate of a stored one.
      const again = await ingest({ adapter: upgraded, sources: [dataDir] })
      expect(again.totals.accepted).toBe(0)
      expect(again.totals.duplicates).toEqual({ exact: first.totals.accepted + first.totals.duplicates.exact, conflict: first.totals.duplicates.conflict })
      expect(await answers(upgraded)).toEqual(await answers(reference))
    } finally {
      await adapter.close()
      await upgraded?.close()
      await withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
    }
  }, 60_000)

  test('a store whose packed rows have another layout than this core\'s is refused, not misread', async () => {
    const schema = `vp_format_${randomBytes(6).toString('hex')}`
    const adapter = createPostgresStorage({ connectionString: url, schema })
    try {
      await adapter.migrate()
      await withClient(url, async (client) => void (await client.query(`UPDATE "${schema}".store_meta SET packed_rows_format = packed_rows_format + 1`)))
      const reopened = createPostgresStorage({ connectionString: url, schema })
      const error = await reopened.migrate().catch((e: unknown) => e)
      await reopened.close()
      expect(error).toMatchObject({ code: 'store_unreachable', message: expect.stringContaining('packed format') })
    } finally {
      await adapter.close()
      await withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
    }
  })
})
