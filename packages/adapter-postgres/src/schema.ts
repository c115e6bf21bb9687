import { bigint, bigserial, boolean, customType, doublePrecision, getTableConfig, index, integer, jsonb, pgSchema, primaryKey, text } from 'drizzle-orm/pg-core'

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

/**
 * The store's tables, in the schema the adapter is given: the one source of
 * truth. migrations.ts creates them from these definitions (schema-ddl.ts),
 * the ordinary queries are drizzle's over them, and the bulk paths (COPY)
 * name the same columns.
 *
 * Times are UTC epoch milliseconds (bigint), money integer cents, coordinates
 * float8 (every value comes back bit for bit). Rows keep their `seq`, the
 * ingest order core gave them.
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
  const deployments = schema.table(
    'deployments',
    {
      taskId: keyText('task_id').primaryKey(),
      vehicleId: keyText('vehicle_id').notNull(),
      seq: bigint('seq', { mode: 'number' }).notNull(),
      createdAt: bigint('created_at', { mode: 'number' }).notNull(),
      resolvedAt: bigint('resolved_at', { mode: 'number' }).notNull(),
    },
    (table) => [index('deployments_vehicle').on(table.vehicleId, table.seq)],
  )
  const pickups = schema.table(
    'pickups',
    {
      taskId: keyText('task_id').primaryKey(),
      vehicleId: keyText('vehicle_id').notNull(),
      seq: bigint('seq', { mode: 'number' }).notNull(),
      qrCode: keyText('qr_code').notNull(),
      createdAt: bigint('created_at', { mode: 'number' }).notNull(),
      resolvedAt: bigint('resolved_at', { mode: 'number' }).notNull(),
    },
    (table) => [index('pickups_vehicle').on(table.vehicleId, table.seq)],
  )
  const rides = schema.table(
    'rides',
    {
      rideId: keyText('ride_id').primaryKey(),
      vehicleId: keyText('vehicle_id').notNull(),
      seq: bigint('seq', { mode: 'number' }).notNull(),
      startedAt: bigint('started_at', { mode: 'number' }).notNull(),
      endedAt: bigint('ended_at', { mode: 'number' }).notNull(),
      // A missing point has both halves null.
      startLat: doublePrecision('start_lat'),
      startLng: doublePrecision('start_lng'),
      endLat: doublePrecision('end_lat'),
      endLng: doublePrecision('end_lng'),
      amountCents: bigint('amount_cents', { mode: 'number' }),
    },
    (table) => [index('rides_vehicle').on(table.vehicleId, table.seq)],
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
  return { storeMeta, ingestRuns, ingestFiles, deployments, pickups, rides, rejectedRows, duplicateRows, vehicleViews, qrClaims }
}

export type Tables = ReturnType<typeof tablesIn>

/**
 * Storage parameters drizzle does not model, by table name. A view (~2 KB)
 * stays inline and uncompressed: TOAST compression of the templates was the
 * largest part of the server's work during an ingest, and a lookup then
 * reads one heap page, no TOAST table.
 */
export const TABLE_STORAGE: Readonly<Record<string, string>> = {
  vehicle_views: 'toast_tuple_target = 8160',
}

/** A table's schema-qualified, quoted name, for the statements drizzle does not build (COPY, bulk SQL). */
export function qualified(table: Parameters<typeof getTableConfig>[0]): string {
  const config = getTableConfig(table)
  return `"${config.schema ?? 'public'}"."${config.name}"`
}
