import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { createMemoryStorage, generate, ingest, type StorageAdapter } from '@vehicle-perf/core'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { answersOf, withClient } from './store-contents.js'

const url = inject('databaseUrl')
// A database whose own ordering of text is a language's (ICU en-US: case and
// punctuation weigh less than letters), as a fleet's server often has.
const database = `vp_en_us_${randomBytes(4).toString('hex')}`
const enUsUrl = (() => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
})()
const KEY_COLUMNS = ['vehicle_rows.vehicle_id', 'vehicle_views.vehicle_id', 'vehicle_views.qr_code', 'qr_claims.vehicle_id', 'qr_claims.qr_code', 'qr_claims.recency']

let dataDir = ''
let reference: StorageAdapter

/** Every key the reference store finds, and `adapter`'s answer to it. */
const answers = (adapter: StorageAdapter): Promise<Map<string, string>> => answersOf(reference, adapter)

/** The collation of each key column of `schema`, by table.column. */
async function keyCollations(schema: string): Promise<Map<string, string | null>> {
  const rows = await withClient(enUsUrl, async (client) => (await client.query<{ name: string; collation: string | null }>(`SELECT table_name || '.' || column_name AS name, collation_name AS collation FROM information_schema.columns WHERE table_schema = $1`, [schema])).rows)
  return new Map(rows.filter((row) => KEY_COLUMNS.includes(row.name)).map((row) => [row.name, row.collation]))
}

beforeAll(async () => {
  await withClient(url, (client) => client.query(`CREATE DATABASE ${database} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`))
  dataDir = mkdtempSync(join(tmpdir(), 'vp-collation-'))
  generate({ outDir: dataDir, scale: 0.03, seed: 31 })
  reference = createMemoryStorage()
  await reference.migrate()
  await ingest({ adapter: reference, sources: [dataDir] })
})

afterAll(async () => {
  await reference?.close()
  await withClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))
  rmSync(dataDir, { recursive: true, force: true })
})

describe('ids and keys compare bytes whatever the database locale', () => {
  test('in an en-US database every id, key and rank column is collated "C", and every answer is the memory store\'s', async () => {
    const adapter = createPostgresStorage({ connectionString: enUsUrl, schema: 'fresh' })
    try {
      await adapter.migrate()
      const collations = await keyCollations('fresh')
      expect([...collations.keys()].sort()).toEqual([...KEY_COLUMNS].sort())
      expect([...collations.values()].every((collation) => collation === 'C')).toBe(true)
      await ingest({ adapter, sources: [dataDir] })
      expect(await answers(adapter)).toEqual(await answers(reference))
    } finally {
      await adapter.close()
    }
  })

  test('migrate turns the key columns of a store made before (the database\'s collation) to "C", its data and answers kept', async () => {
    const adapter = createPostgresStorage({ connectionString: enUsUrl, schema: 'older' })
    await adapter.migrate()
    await ingest({ adapter, sources: [dataDir] })
    await adapter.close()
    // The store as schema version 1 made it: key columns in the database's collation.
    await withClient(enUsUrl, async (client) => {
      for (const name of KEY_COLUMNS) {
        const [table, column] = name.split('.') as [string, string]
        await client.query(`ALTER TABLE older.${table} ALTER COLUMN ${column} TYPE text COLLATE "default"`)
      }
      await client.query('UPDATE older.store_meta SET schema_version = 1')
    })
    expect([...(await keyCollations('older')).values()].every((collation) => collation === null)).toBe(true)
    const upgraded = createPostgresStorage({ connectionString: enUsUrl, schema: 'older' })
    try {
      await upgraded.migrate()
      expect([...(await keyCollations('older')).values()].every((collation) => collation === 'C')).toBe(true)
      expect(await withClient(enUsUrl, async (client) => (await client.query('SELECT schema_version FROM older.store_meta')).rows)).toEqual([{ schema_version: 3 }])
      expect(await answers(upgraded)).toEqual(await answers(reference))
    } finally {
      await upgraded.close()
    }
  })
})
