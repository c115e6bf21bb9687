import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, inject, test } from 'vitest'
import { generate, ingest, type VehicleKey } from '@vehicle-perf/core'
import { runStorageConformanceSuite, type ConformanceStore } from '@vehicle-perf/core/testing'
import { hostileCsvProperty } from '../../../scripts/test-support/hostile-csv-property.js'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { storeContentsOf, withClient } from './store-contents.js'

const url = inject('databaseUrl')

/** A schema of its own per test: tests never share state, and one server serves them all. */
function freshSchema(): string {
  return `vp_test_${randomBytes(6).toString('hex')}`
}

async function createStore(): Promise<ConformanceStore> {
  const schema = freshSchema()
  return {
    adapter: createPostgresStorage({ connectionString: url, schema, lockTimeoutMs: 20_000 }),
    readBack: () => storeContentsOf(url, schema),
    openAnother: async () => {
      const other = createPostgresStorage({ connectionString: url, schema, lockTimeoutMs: 20_000 })
      await other.migrate()
      return other
    },
    cleanup: () => withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))),
  }
}

runStorageConformanceSuite({ describe, test, expect, createStore })

describe('hostile CSV', () => hostileCsvProperty(createStore))

describe('lookup batching', () => {
  test('a lookupBatchKeys below 1 or not whole is refused as invalid_option', () => {
    for (const lookupBatchKeys of [0, -1, 1.5]) {
      expect(() => createPostgresStorage({ connectionString: url, lookupBatchKeys })).toThrow(expect.objectContaining({ code: 'invalid_option' }))
    }
  })

  test('with lookupBatchKeys 1 (each key alone) concurrent lookups answer as batched ones do', async () => {
    const schema = freshSchema()
    const dir = mkdtempSync(join(tmpdir(), 'vp-batch-'))
    const batching = createPostgresStorage({ connectionString: url, schema })
    const alone = createPostgresStorage({ connectionString: url, schema, lookupBatchKeys: 1 })
    try {
      await batching.migrate()
      generate({ outDir: dir, scale: 0.02, seed: 5 })
      await ingest({ adapter: batching, sources: [dir] })
      const keys: VehicleKey[] = []
      for await (const chunk of batching.listKeys(100)) keys.push(...chunk.keys)
      const batched = await Promise.all(keys.map((key) => batching.lookup(key)))
      expect(batched.every((view) => view !== null)).toBe(true)
      expect(await Promise.all(keys.map((key) => alone.lookup(key)))).toEqual(batched)
    } finally {
      await alone.close()
      await batching.close()
      await withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('bulk load into an empty store', () => {
  test('writes the rows, views and claims frozen and all-visible, so nothing rewrites them later; a later run writes normally', async () => {
    const schema = freshSchema()
    const dir = mkdtempSync(join(tmpdir(), 'vp-freeze-'))
    const adapter = createPostgresStorage({ connectionString: url, schema })
    try {
      await adapter.migrate()
      generate({ outDir: dir, scale: 0.02, seed: 6 })
      await ingest({ adapter, sources: [join(dir, '*.csv')] })
      const pages = (table: string) =>
        withClient(url, async (client) => {
          await client.query('CREATE EXTENSION IF NOT EXISTS pg_visibility')
          const [row] = (await client.query<{ pages: number; visible: number; frozen: number }>(`SELECT (SELECT relpages FROM pg_class WHERE oid = $1::regclass) AS pages, all_visible AS visible, all_frozen AS frozen FROM pg_visibility_map_summary($1::regclass)`, [`"${schema}".${table}`])).rows
          return row
        })
      for (const table of ['vehicle_rows', 'key_index', 'vehicle_views', 'qr_claims']) {
        const summary = await pages(table)
        expect(summary?.pages).toBeGreaterThan(0)
        expect(summary).toEqual({ pages: summary?.pages, visible: summary?.pages, frozen: summary?.pages })
      }
      generate({ outDir: join(dir, 'later'), scale: 0.02, seed: 7 })
      await ingest({ adapter, sources: [join(dir, 'later')] })
      const rows = await pages('vehicle_rows')
      expect(rows?.frozen).toBeLessThan(rows?.pages as number)
    } finally {
      await adapter.close()
      await withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a store given with the wrong login, database or privileges', () => {
  /** The URL as another role, or to another database. */
  const as = (user: string, database = new URL(url).pathname.slice(1)): string => {
    const other = new URL(url)
    other.username = user
    other.pathname = `/${database}`
    return other.toString()
  }

  test('is store_unreachable with a message that says what to fix, for a reader and for a migration, never internal', async () => {
    const schema = freshSchema()
    const owner = createPostgresStorage({ connectionString: url, schema })
    await owner.migrate()
    await owner.close()
    await withClient(url, async (client) => {
      await client.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vp_no_privileges') THEN CREATE ROLE vp_no_privileges LOGIN; END IF; END $$`)
      await client.query('REVOKE CREATE ON DATABASE postgres FROM vp_no_privileges')
    })
    const cases: [{ connectionString: string; readOnly?: boolean; schema?: string }, RegExp][] = [
      [{ connectionString: as('vp_no_such_role') }, /login was refused.*role "vp_no_such_role" does not exist.*user and password/],
      [{ connectionString: as('postgres', 'vp_no_such_database') }, /database "vp_no_such_database" does not exist.*create it or fix the URL/],
      [{ connectionString: as('vp_no_privileges'), schema: `${schema}_new` }, /permission denied for database.*privilege/],
      [{ connectionString: as('vp_no_privileges'), schema, readOnly: true }, /permission denied for schema.*privilege/],
    ]
    try {
      for (const [options, message] of cases) {
        const adapter = createPostgresStorage(options)
        try {
          await expect(adapter.migrate()).rejects.toMatchObject({ code: 'store_unreachable', store: 'postgres', message: expect.stringMatching(message) })
        } finally {
          await adapter.close()
        }
      }
    } finally {
      await withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
    }
  })
})

test('a reader on a schema nothing was ingested into says to ingest first', async () => {
  const schema = freshSchema()
  const reader = createPostgresStorage({ connectionString: url, schema, readOnly: true })
  try {
    await expect(reader.migrate()).rejects.toMatchObject({ code: 'store_unreachable', message: `no vehicle-perf store in schema ${schema} on ${new URL(url).host}${new URL(url).pathname}: ingest into it first (vehicle-perf ingest creates it), or check the schema` })
  } finally {
    await reader.close()
  }
})
