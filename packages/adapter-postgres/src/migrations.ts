import type pg from 'pg'
import { PACKED_ROWS_FORMAT, packedRowsFormatProblem } from '@vehicle-perf/core/packed-rows'
import { randomKeySeed } from '@vehicle-perf/core/spilled-run'
import { drizzle } from 'drizzle-orm/node-postgres'
import { eq } from 'drizzle-orm'
import { getTableConfig } from 'drizzle-orm/pg-core'
import { classify, postgresError } from './postgres-errors.js'
import { execute, inOwnTransaction, queryRows } from './pg-client.js'
import { createStatements } from './schema-ddl.js'
import { ingestLockOf, KEY_TEXT, qualified, type Tables } from './schema.js'
import { hasTypedRows, packTypedRows } from './pack-typed-rows.js'

/**
 * Schema steps in order, each run once; `store_meta.schema_version` says how
 * many a store has run. Step 1 creates every table as schema.ts defines it;
 * a later version appends a step (ALTERs), never edits one that shipped.
 */
const MIGRATIONS: readonly ((client: pg.PoolClient, tables: Tables) => Promise<void>)[] = [
  async (client, tables) => {
    for (const table of Object.values(tables)) {
      const statements = createStatements(table)
      await execute(client, statements.table)
      for (const index of statements.indexes) await execute(client, index.create)
    }
    await drizzle({ client })
      .insert(tables.storeMeta)
      .values({ id: 1, schemaVersion: 0, asOf: null, dataVersion: 0, policy: 'recent', nextSeq: 1, keySeed: randomKeySeed(), packedRowsFormat: PACKED_ROWS_FORMAT })
      .onConflictDoNothing()
  },
  // 2: ids, keys and ranks compare bytes (KEY_TEXT) in a store made before
  // they did; step 1 creates them so now, and those are left alone.
  async (client, tables) => {
    for (const table of Object.values(tables)) {
      const config = getTableConfig(table)
      const keyColumns = config.columns.filter((column) => column.getSQLType() === KEY_TEXT).map((column) => column.name)
      if (keyColumns.length === 0) continue
      const toChange = await queryRows<[string]>(
        client,
        `SELECT column_name FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = $2 AND column_name = ANY($3::text[]) AND collation_name IS DISTINCT FROM 'C'`,
        [config.schema ?? 'public', config.name, keyColumns],
      )
      if (toChange.length === 0) continue
      await execute(client, `ALTER TABLE ${qualified(table)} ${toChange.map(([column]) => `ALTER COLUMN "${column}" TYPE ${KEY_TEXT}`).join(', ')}`)
    }
  },
  // 3: rows packed one blob per vehicle with core's key index (vehicle_rows,
  // key_index; step 1 creates them now). A store made before gets them, with
  // its key seed, and its typed rows packed into them.
  async (client, tables) => {
    const meta = qualified(tables.storeMeta)
    await execute(client, `ALTER TABLE ${meta} ADD COLUMN IF NOT EXISTS key_seed bigint, ADD COLUMN IF NOT EXISTS packed_rows_format integer`)
    await execute(client, `UPDATE ${meta} SET key_seed = coalesce(key_seed, $1), packed_rows_format = coalesce(packed_rows_format, $2)`, [randomKeySeed(), PACKED_ROWS_FORMAT])
    await execute(client, `ALTER TABLE ${meta} ALTER COLUMN key_seed SET NOT NULL, ALTER COLUMN packed_rows_format SET NOT NULL`)
    for (const table of [tables.vehicleRows, tables.keyIndex]) {
      const statements = createStatements(table)
      await execute(client, statements.table)
      for (const index of statements.indexes) await execute(client, index.create)
    }
    if (!(await hasTypedRows(client, tables))) return
    // An ingest of an older version may be writing the typed tables: wait for it.
    await execute(client, 'SELECT pg_advisory_xact_lock(hashtext($1))', [ingestLockOf(tables)])
    const [[keySeed]] = (await queryRows<[number]>(client, `SELECT key_seed FROM ${meta} WHERE id = 1`)) as [[number]]
    await packTypedRows(client, tables, keySeed)
  },
]

export const SCHEMA_VERSION = MIGRATIONS.length

/**
 * Creates or upgrades the schema. Safe when several processes start at
 * once: each takes a transaction-level advisory lock of the schema first,
 * so one runs the steps and the others find them done.
 */
export async function migrate(pool: pg.Pool, schema: string, tables: Tables, where: string): Promise<void> {
  try {
    await inOwnTransaction(pool, async (client) => {
      await execute(client, 'SET LOCAL statement_timeout = 0')
      await execute(client, 'SELECT pg_advisory_xact_lock(hashtext($1))', [`vehicle-perf:migrate:${schema}`])
      await execute(client, `CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '""')}"`)
      const current = await schemaVersion(client, tables)
      if (current > MIGRATIONS.length) {
        throw postgresError('store_unreachable', `${where} was made by a newer vehicle-perf (schema ${current}, this one knows ${MIGRATIONS.length}): upgrade @vehicle-perf/adapter-postgres`)
      }
      for (let version = current; version < MIGRATIONS.length; version++) await (MIGRATIONS[version] as (typeof MIGRATIONS)[number])(client, tables)
      await drizzle({ client }).update(tables.storeMeta).set({ schemaVersion: MIGRATIONS.length }).where(eq(tables.storeMeta.id, 1))
      await checkPackedRowsFormat(client, tables, where)
    })
  } catch (error) {
    throw classify(error, 'cannot migrate', where)
  }
}

/** Refuses a store whose packed rows have another layout than this core's, rather than misreading them. */
export async function checkPackedRowsFormat(client: pg.PoolClient | pg.Pool, tables: Tables, where: string): Promise<void> {
  const [[format]] = (await queryRows<[number]>(client, `SELECT packed_rows_format FROM ${qualified(tables.storeMeta)} WHERE id = 1`)) as [[number]]
  const problem = packedRowsFormatProblem(format)
  if (problem !== null) throw postgresError('store_unreachable', `${where} ${problem}`)
}

/** How many schema steps the store has run: 0 before the first. */
export async function schemaVersion(client: pg.PoolClient | pg.Pool, tables: Tables): Promise<number> {
  const [[exists]] = (await queryRows<[boolean]>(client, 'SELECT to_regclass($1) IS NOT NULL', [qualified(tables.storeMeta)])) as [[boolean]]
  if (!exists) return 0
  const [row] = await queryRows<[number]>(client, `SELECT schema_version FROM ${qualified(tables.storeMeta)} WHERE id = 1`)
  return row?.[0] ?? 0
}
