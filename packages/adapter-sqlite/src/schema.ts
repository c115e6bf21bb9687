import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// Table and column names are shared by every vehicle-perf adapter: the
// conformance suite reads them back with plain SQL. migrations.ts creates
// these tables (the row tables WITHOUT ROWID, which drizzle cannot express).

export const storeMeta = sqliteTable('store_meta', {
  id: integer('id').primaryKey(),
  schemaVersion: integer('schema_version').notNull(),
  asOf: integer('as_of'),
  dataVersion: integer('data_version').notNull(),
  policy: text('policy').notNull(),
  /** Next global ingest sequence number for rows. */
  nextSeq: integer('next_seq').notNull(),
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

export const deployments = sqliteTable('deployments', {
  seq: integer('seq').notNull(),
  taskId: text('task_id').notNull(),
  vehicleId: text('vehicle_id').notNull(),
  createdAt: integer('created_at').notNull(),
  resolvedAt: integer('resolved_at').notNull(),
  runSeq: integer('run_seq').notNull(),
}, (table) => [primaryKey({ columns: [table.vehicleId, table.seq] })])

export const pickups = sqliteTable('pickups', {
  seq: integer('seq').notNull(),
  taskId: text('task_id').notNull(),
  vehicleId: text('vehicle_id').notNull(),
  qrCode: text('qr_code').notNull(),
  createdAt: integer('created_at').notNull(),
  resolvedAt: integer('resolved_at').notNull(),
  runSeq: integer('run_seq').notNull(),
}, (table) => [primaryKey({ columns: [table.vehicleId, table.seq] })])

export const rides = sqliteTable('rides', {
  seq: integer('seq').notNull(),
  rideId: text('ride_id').notNull(),
  vehicleId: text('vehicle_id').notNull(),
  startedAt: integer('started_at').notNull(),
  endedAt: integer('ended_at').notNull(),
  startLat: real('start_lat'),
  startLng: real('start_lng'),
  endLat: real('end_lat'),
  endLng: real('end_lng'),
  amountCents: integer('amount_cents'),
  runSeq: integer('run_seq').notNull(),
}, (table) => [primaryKey({ columns: [table.vehicleId, table.seq] })])

// Each kind's keys, with where the kept row is (vehicle_id, seq): filled in
// key order once per run, so their B-trees are written sequentially.
const keyColumns = {
  vehicleId: text('vehicle_id').notNull(),
  seq: integer('seq').notNull(),
}
export const deploymentKeys = sqliteTable('deployment_keys', { taskId: text('task_id').primaryKey(), ...keyColumns })
export const pickupKeys = sqliteTable('pickup_keys', { taskId: text('task_id').primaryKey(), ...keyColumns })
export const rideKeys = sqliteTable('ride_keys', { rideId: text('ride_id').primaryKey(), ...keyColumns })

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
