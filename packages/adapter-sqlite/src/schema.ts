import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// Table and column names are shared by every vehicle-perf adapter: the
// conformance suite reads them back with plain SQL. migrations.ts creates
// these tables.

export const storeMeta = sqliteTable('store_meta', {
  id: integer('id').primaryKey(),
  schemaVersion: integer('schema_version').notNull(),
  asOf: integer('as_of'),
  dataVersion: integer('data_version').notNull(),
  policy: text('policy').notNull(),
  /** Next global ingest sequence number for rows. */
  nextSeq: integer('next_seq').notNull(),
  /** The store's secret seed of key hashes (key_index, a run's partitions). */
  keySeed: integer('key_seed').notNull(),
})

export const ingestRuns = sqliteTable('ingest_runs', {
  runId: text('run_id').primaryKey(),
  /** Small integer stored on every row instead of the run id. */
  runSeq: integer('run_seq').notNull().unique(),
  status: text('status').notNull(),
  startedAt: text('started_at').notNull(),
  finishedAt: text('finished_at'),
  report: text('report').notNull(),
})

export const ingestFiles = sqliteTable(
  'ingest_files',
  {
    runId: text('run_id').notNull(),
    position: integer('position').notNull(),
    source: text('source').notNull(),
    kind: text('kind'),
    bytes: integer('bytes'),
    sha256: text('sha256'),
    rowsRead: integer('rows_read'),
    accepted: integer('accepted'),
    errorCode: text('error_code'),
  },
  (table) => [primaryKey({ columns: [table.runId, table.position] }), index('ingest_files_sha256').on(table.sha256)],
)

// Each vehicle's rows of a run, as one blob of packed records (packed-rows.ts),
// in ingest order.
export const vehicleRows = sqliteTable(
  'vehicle_rows',
  {
    id: integer('id').primaryKey(),
    vehicleId: text('vehicle_id').notNull(),
    runSeq: integer('run_seq').notNull(),
    records: blob('records', { mode: 'buffer' }).notNull(),
  },
  (table) => [index('vehicle_rows_vehicle').on(table.vehicleId, table.id)],
)

// Every stored key's hashes and the id of the vehicle_rows blob holding it,
// packed by key partition (key-index.ts).
export const keyIndex = sqliteTable(
  'key_index',
  {
    id: integer('id').primaryKey(),
    part: integer('part').notNull(),
    entries: blob('entries', { mode: 'buffer' }).notNull(),
  },
  (table) => [index('key_index_part').on(table.part, table.id)],
)

export const rejectedRows = sqliteTable('rejected_rows', {
  id: integer('id').primaryKey(),
  runId: text('run_id').notNull(),
  source: text('source').notNull(),
  line: integer('line').notNull(),
  kind: text('kind').notNull(),
  fields: text('fields').notNull(),
  reasons: text('reasons').notNull(),
})

export const duplicateRows = sqliteTable('duplicate_rows', {
  id: integer('id').primaryKey(),
  runId: text('run_id').notNull(),
  kind: text('kind').notNull(),
  key: text('key').notNull(),
  source: text('source').notNull(),
  line: integer('line').notNull(),
  classification: text('classification').notNull(),
  kept: text('kept'),
  incoming: text('incoming'),
})

export const vehicleViews = sqliteTable('vehicle_views', {
  vehicleId: text('vehicle_id').primaryKey(),
  qrCode: text('qr_code'),
  template: text('template').notNull(),
  openStartedAt: integer('open_started_at'),
  openRideTimeS: integer('open_ride_time_s'),
  openRevenueCents: integer('open_revenue_cents'),
  contentHash: text('content_hash').notNull(),
})

export const qrClaims = sqliteTable(
  'qr_claims',
  {
    qrCode: text('qr_code').notNull(),
    vehicleId: text('vehicle_id').notNull(),
    recency: text('recency').notNull(),
  },
  (table) => [primaryKey({ columns: [table.vehicleId, table.qrCode] }), index('qr_claims_rank').on(table.qrCode, table.recency)],
)
