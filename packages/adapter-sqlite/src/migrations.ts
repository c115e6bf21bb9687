import type Database from 'better-sqlite3'
import { ROW_CODE_KINDS, ROW_KIND_CODES, ROW_RECORD_SIZES } from '@vehicle-perf/core'
import { RECORD_SIZES, writeRecord, writeStoredRecord } from './packed-rows.js'
import { KeyIndexWriter } from './key-index.js'
import { ROW_TABLES, rowFrom, selectColumns, type SqlValue } from './row-columns.js'

/**
 * The row tables as step 2 rebuilds them: step 1's columns without the UNIQUE
 * key. Written out here rather than derived from row-columns.ts, so that a
 * migration never changes after it has shipped.
 */
const REBUILT_ROW_TABLES = {
  deployment: { table: 'deployments', key: 'task_id', columns: 'vehicle_id, seq, task_id, created_at, resolved_at, run_seq', definition: `
    vehicle_id TEXT NOT NULL, seq INTEGER NOT NULL, task_id TEXT NOT NULL,
    created_at INTEGER NOT NULL, resolved_at INTEGER NOT NULL, run_seq INTEGER NOT NULL` },
  pickup: { table: 'pickups', key: 'task_id', columns: 'vehicle_id, seq, task_id, qr_code, created_at, resolved_at, run_seq', definition: `
    vehicle_id TEXT NOT NULL, seq INTEGER NOT NULL, task_id TEXT NOT NULL, qr_code TEXT NOT NULL,
    created_at INTEGER NOT NULL, resolved_at INTEGER NOT NULL, run_seq INTEGER NOT NULL` },
  ride: { table: 'rides', key: 'ride_id', columns: 'vehicle_id, seq, ride_id, started_at, ended_at, start_lat, start_lng, end_lat, end_lng, amount_cents, run_seq', definition: `
    vehicle_id TEXT NOT NULL, seq INTEGER NOT NULL, ride_id TEXT NOT NULL,
    started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL,
    start_lat REAL, start_lng REAL, end_lat REAL, end_lng REAL, amount_cents INTEGER,
    run_seq INTEGER NOT NULL` },
} as const

function rebuildWithoutUniqueKey(kind: keyof typeof REBUILT_ROW_TABLES): string {
  const { table, key, columns, definition } = REBUILT_ROW_TABLES[kind]
  return `
  CREATE TABLE ${kind}_keys (${key} TEXT PRIMARY KEY, vehicle_id TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO ${kind}_keys (${key}, vehicle_id, seq) SELECT ${key}, vehicle_id, seq FROM ${table} ORDER BY ${key};
  CREATE TABLE ${table}_v2 (${definition},
    PRIMARY KEY (vehicle_id, seq)
  ) WITHOUT ROWID;
  INSERT INTO ${table}_v2 (${columns}) SELECT ${columns} FROM ${table} ORDER BY vehicle_id, seq;
  DROP TABLE ${table};
  ALTER TABLE ${table}_v2 RENAME TO ${table};
  `
}

/**
 * Schema as ordered steps, each run once (all in one transaction):
 * `store_meta.schema_version` says how many have run. Written as SQL (not
 * generated at run time) so that opening a store never needs drizzle-kit.
 * Mirrors schema.ts.
 */
export const MIGRATIONS: readonly (string | ((db: Database.Database) => void))[] = [
  `
  CREATE TABLE IF NOT EXISTS store_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    schema_version INTEGER NOT NULL,
    as_of INTEGER,
    data_version INTEGER NOT NULL DEFAULT 0,
    policy TEXT NOT NULL DEFAULT 'recent',
    next_seq INTEGER NOT NULL DEFAULT 1
  );
  INSERT OR IGNORE INTO store_meta (id, schema_version, as_of, data_version, policy) VALUES (1, 0, NULL, 0, 'recent');
  CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id TEXT PRIMARY KEY, run_seq INTEGER NOT NULL UNIQUE, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, report TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ingest_files (
    run_id TEXT NOT NULL, position INTEGER NOT NULL, source TEXT NOT NULL, kind TEXT, bytes INTEGER, sha256 TEXT,
    rows_read INTEGER, accepted INTEGER, error_code TEXT, PRIMARY KEY (run_id, position)
  );
  CREATE INDEX IF NOT EXISTS ingest_files_sha256 ON ingest_files (sha256);
  -- Rows are clustered by vehicle (WITHOUT ROWID, primary key vehicle_id, seq):
  -- a refresh reads each vehicle's events as one contiguous range, and no
  -- separate vehicle index is maintained on the insert path. seq is the
  -- global ingest order, handed out from store_meta.next_seq.
  CREATE TABLE IF NOT EXISTS deployments (
    vehicle_id TEXT NOT NULL, seq INTEGER NOT NULL, task_id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL, resolved_at INTEGER NOT NULL, run_seq INTEGER NOT NULL,
    PRIMARY KEY (vehicle_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS pickups (
    vehicle_id TEXT NOT NULL, seq INTEGER NOT NULL, task_id TEXT NOT NULL UNIQUE, qr_code TEXT NOT NULL,
    created_at INTEGER NOT NULL, resolved_at INTEGER NOT NULL, run_seq INTEGER NOT NULL,
    PRIMARY KEY (vehicle_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS rides (
    vehicle_id TEXT NOT NULL, seq INTEGER NOT NULL, ride_id TEXT NOT NULL UNIQUE,
    started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL,
    start_lat REAL, start_lng REAL, end_lat REAL, end_lng REAL, amount_cents INTEGER,
    run_seq INTEGER NOT NULL,
    PRIMARY KEY (vehicle_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS rejected_rows (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, source TEXT NOT NULL, line INTEGER NOT NULL, kind TEXT NOT NULL,
    fields TEXT NOT NULL, reasons TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS duplicate_rows (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, source TEXT NOT NULL,
    line INTEGER NOT NULL, classification TEXT NOT NULL, kept TEXT, incoming TEXT
  );
  CREATE TABLE IF NOT EXISTS vehicle_views (
    vehicle_id TEXT PRIMARY KEY, qr_code TEXT, template TEXT NOT NULL,
    open_started_at INTEGER, open_ride_time_s INTEGER, open_revenue_cents INTEGER, content_hash TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS qr_claims (
    vehicle_id TEXT NOT NULL, qr_code TEXT NOT NULL, recency TEXT NOT NULL, PRIMARY KEY (vehicle_id, qr_code)
  );
  CREATE INDEX IF NOT EXISTS qr_claims_rank ON qr_claims (qr_code, recency);
  `,
  // 2: keys move out of the row tables into <kind>_keys tables (key ->
  // vehicle_id, seq). A UNIQUE index on a row table was written in vehicle
  // order, one random B-tree insert per row; a key table is filled once per
  // run in key order. The row tables are rebuilt without their UNIQUE.
  ...(['deployment', 'pickup', 'ride'] as const).map((kind) => rebuildWithoutUniqueKey(kind)),
  // 3: rows leave SQLite's per-row B-trees: each vehicle's rows of a run are
  // one blob of packed records (vehicle_rows), and the keys a packed index by
  // key hash (key_index). Existing rows become one blob per vehicle.
  packRowTables,
]

function packRowTables(db: Database.Database): void {
  db.exec(`
  CREATE TABLE vehicle_rows (id INTEGER PRIMARY KEY, vehicle_id TEXT NOT NULL, run_seq INTEGER NOT NULL, records BLOB NOT NULL);
  CREATE INDEX vehicle_rows_vehicle ON vehicle_rows (vehicle_id, id);
  CREATE TABLE key_index (id INTEGER PRIMARY KEY, part INTEGER NOT NULL, entries BLOB NOT NULL);
  CREATE INDEX key_index_part ON key_index (part, id);
  -- Key hashes are seeded per store, so that no file can aim its keys at one partition.
  ALTER TABLE store_meta ADD COLUMN key_seed INTEGER NOT NULL DEFAULT 0;
  UPDATE store_meta SET key_seed = random() & 4294967295;`)
  const keySeed = db.prepare('SELECT key_seed FROM store_meta WHERE id = 1').pluck().get() as number
  const vehicles = db.prepare('SELECT vehicle_id FROM deployments UNION SELECT vehicle_id FROM pickups UNION SELECT vehicle_id FROM rides').pluck().all() as string[]
  const rowsOf = ROW_CODE_KINDS.map((kind) => ({ kind, statement: db.prepare(`SELECT ${selectColumns(kind)} FROM ${ROW_TABLES[kind].table} WHERE vehicle_id = ?`).raw() }))
  const lastRun = db.prepare('SELECT max(run_seq) FROM ingest_runs').pluck()
  const insertBlob = db.prepare('INSERT INTO vehicle_rows (vehicle_id, run_seq, records) VALUES (?, ?, ?)')
  const index = new KeyIndexWriter(db)
  const runSeq = (lastRun.get() as number | null) ?? 0
  for (const vehicleId of vehicles) {
    const rows = rowsOf.flatMap(({ kind, statement }) => (statement.all(vehicleId) as SqlValue[][]).map((values) => ({ seq: values[0] as number, row: rowFrom(kind, values) })))
    rows.sort((a, b) => a.seq - b.seq)
    // Packed as a run would spill them (with their key hashes), then stored.
    const spilled = Buffer.alloc(rows.reduce((sum, { row }) => sum + (RECORD_SIZES[ROW_KIND_CODES[row.kind]] as number), 0))
    const blob = Buffer.alloc(rows.reduce((sum, { row }) => sum + (ROW_RECORD_SIZES[ROW_KIND_CODES[row.kind]] as number), 0))
    const offsets: number[] = []
    let offset = 0
    let at = 0
    for (const { seq, row } of rows) {
      writeRecord(spilled, offset, row, seq, 0, 0, keySeed)
      offsets.push(offset)
      at += writeStoredRecord(spilled, offset, blob, at)
      offset += RECORD_SIZES[ROW_KIND_CODES[row.kind]] as number
    }
    const blobId = Number(insertBlob.run(vehicleId, runSeq, blob).lastInsertRowid)
    for (const spilledAt of offsets) index.add(spilled, spilledAt, blobId)
  }
  index.flush()
  for (const kind of ROW_CODE_KINDS) db.exec(`DROP TABLE ${ROW_TABLES[kind].table}; DROP TABLE ${kind}_keys;`)
}
