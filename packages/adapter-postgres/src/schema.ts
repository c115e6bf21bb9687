import { bigint, bigserial, boolean, customType, getTableConfig, index, integer, jsonb, pgSchema, primaryKey, text } from 'drizzle-orm/pg-core'

/**
 * The SQL type of every id, key and rank column: text compared byte by
 * byte, whatever the database's locale. Ids are opaque, so a locale's
 * ordering means nothing for them; it only costs: a first ingest's index
 * builds at scale 10 took 65 % longer in an ICU en-US database than in a C
 * one, and a glibc locale sorts without abbreviated keys at all. It also
 * keeps every ordering the store makes (keys listed, QR claims ranked) the
 * one SQLite and the memory store make.
 */
export const KEY_TEXT = 'text COLLATE "C"'
const keyText = customType<{ data: string; driverData: string }>({ dataType: () => KEY_TEXT })
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' })

/**
 * The store's tables, in the schema the adapter is given: the one source of
 * truth. migrations.ts creates them from these definitions (schema-ddl.ts),
 * the ordinary queries are drizzle's over them, and the bulk paths (COPY)
 * name the same columns.
 *
 * Times are UTC epoch milliseconds (bigint), money integer cents. The
 * operation rows are core's packed rows (float64 values: every value comes
 * back bit for bit), one blob per vehicle per run, as adapter-sqlite keeps
 * them: a bulk load then stores a few bytes per vehicle instead of millions
 * of typed rows with two B-trees each (README, "How rows are stored").
 */
export function tablesIn(schemaName: string) {
  const schema = pgSchema(schemaName)
  const storeMeta = schema.table('store_meta', {
    id: integer('id').primaryKey(),
    schemaVersion: integer('schema_version').notNull(),
    asOf: bigint('as_of', { mode: 'number' }),
    dataVersion: bigint('data_version', { mode: 'number' }).notNull(),
    policy: text('policy').notNull(),
    nextSeq: bigint('next_seq', { mode: 'number' }).notNull(),
    /** The secret seed of key hashes, so that no file can aim its keys at one partition of the key index. */
    keySeed: bigint('key_seed', { mode: 'number' }).notNull(),
    /** The layout of core's packed rows in vehicle_rows.records (PACKED_ROWS_FORMAT). */
    packedRowsFormat: integer('packed_rows_format').notNull(),
  })
  const ingestRuns = schema.table('ingest_runs', {
    runId: text('run_id').primaryKey(),
    status: text('status').notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
    report: jsonb('report').notNull(),
  })
  const ingestFiles = schema.table(
    'ingest_files',
    {
      runId: text('run_id').notNull(),
      position: integer('position').notNull(),
      source: text('source').notNull(),
      kind: text('kind'),
      bytes: bigint('bytes', { mode: 'number' }),
      sha256: text('sha256'),
      rowsRead: bigint('rows_read', { mode: 'number' }),
      accepted: bigint('accepted', { mode: 'number' }),
      errorCode: text('error_code'),
    },
    (table) => [primaryKey({ columns: [table.runId, table.position] }), index('ingest_files_sha256').on(table.sha256)],
  )
  // Each vehicle's rows of a run: one blob of core's packed rows, in seq
  // order (as adapter-sqlite keeps them). The run gives each blob its id.
  const vehicleRows = schema.table(
    'vehicle_rows',
    {
      id: bigint('id', { mode: 'number' }).primaryKey(),
      vehicleId: keyText('vehicle_id').notNull(),
      records: bytea('records').notNull(),
    },
    (table) => [index('vehicle_rows_vehicle').on(table.vehicleId, table.id)],
  )
  // Every stored key's two hashes and the id of the blob holding its row,
  // packed by key partition (core's key index, @vehicle-perf/core/spilled-run).
  const keyIndex = schema.table(
    'key_index',
    {
      part: integer('part').notNull(),
      entries: bytea('entries').notNull(),
    },
    (table) => [index('key_index_part').on(table.part)],
  )
  const rejectedRows = schema.table('rejected_rows', {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: text('run_id').notNull(),
    source: text('source').notNull(),
    line: bigint('line', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    fields: text('fields').array().notNull(),
    /** True when `fields` were cut to core's cap. */
    truncated: boolean('truncated').notNull(),
    reasons: text('reasons').array().notNull(),
  })
  const duplicateRows = schema.table('duplicate_rows', {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: text('run_id').notNull(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    source: text('source').notNull(),
    line: bigint('line', { mode: 'number' }).notNull(),
    classification: text('classification').notNull(),
    kept: jsonb('kept'),
    incoming: jsonb('incoming'),
  })
  const vehicleViews = schema.table('vehicle_views', {
    vehicleId: keyText('vehicle_id').primaryKey(),
    qrCode: keyText('qr_code'),
    template: text('template').notNull(),
    openStartedAt: bigint('open_started_at', { mode: 'number' }),
    openRideTimeS: bigint('open_ride_time_s', { mode: 'number' }),
    openRevenueCents: bigint('open_revenue_cents', { mode: 'number' }),
    contentHash: text('content_hash').notNull(),
  })
  const qrClaims = schema.table(
    'qr_claims',
    {
      vehicleId: keyText('vehicle_id').notNull(),
      qrCode: keyText('qr_code').notNull(),
      recency: keyText('recency').notNull(),
    },
    (table) => [primaryKey({ columns: [table.vehicleId, table.qrCode] }), index('qr_claims_rank').on(table.qrCode, table.recency)],
  )
  return { storeMeta, ingestRuns, ingestFiles, vehicleRows, keyIndex, rejectedRows, duplicateRows, vehicleViews, qrClaims }
}

export type Tables = ReturnType<typeof tablesIn>

/**
 * Storage parameters drizzle does not model, by table name. A view (~2 KB)
 * stays inline and uncompressed: TOAST compression of the templates was the
 * largest part of the server's work during an ingest, and a lookup then
 * reads one heap page, no TOAST table. A vehicle's blob of a run (~2 KB at
 * the sample fleet's 27 rows) likewise.
 */
export const TABLE_STORAGE: Readonly<Record<string, string>> = {
  vehicle_views: 'toast_tuple_target = 8160',
  vehicle_rows: 'toast_tuple_target = 8160',
}

/**
 * The indexes a bulk load keeps, by name: a first ingest writes their keys
 * in ascending order (blob ids, vehicles in id order), so each insert lands
 * on the index's last page, and keeping them costs the load nothing
 * measurable while building them afterwards cost most of the commit (scale
 * 10: commit 0.24 s with them rebuilt, 0.09 s kept). Every other index
 * (QR ranks, key index parts) is dropped for the load and built after it.
 */
export const LOADED_IN_ORDER: ReadonlySet<string> = new Set(['vehicle_rows_pkey', 'vehicle_rows_vehicle', 'vehicle_views_pkey', 'qr_claims_pkey'])

/**
 * Columns stored without compression (STORAGE EXTERNAL: out of line when too
 * large, never compressed), by table name. Packed rows and key index entries
 * are float64s and hashes: pglz gains little on them and was the server's
 * largest single cost in a bulk load (a key index blob is 96 KiB).
 */
export const UNCOMPRESSED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  vehicle_rows: ['records'],
  key_index: ['entries'],
}

/** A table's schema-qualified, quoted name, for the statements drizzle does not build (COPY, bulk SQL). */
export function qualified(table: Parameters<typeof getTableConfig>[0]): string {
  const config = getTableConfig(table)
  return `"${config.schema ?? 'public'}"."${config.name}"`
}

/** The name of the store's ingest lock (an advisory lock, across processes and machines): one writer at a time. */
export function ingestLockOf(tables: Tables): string {
  return `vehicle-perf:ingest:${qualified(tables.storeMeta)}`
}
