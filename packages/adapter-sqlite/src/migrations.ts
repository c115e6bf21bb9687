import type Database from 'better-sqlite3'
import { PACKED_ROWS_FORMAT, packedRowsFormatProblem } from '@vehicle-perf/core/packed-rows'
import { randomKeySeed } from '@vehicle-perf/core/spilled-run'
import { sqliteError } from './sqlite-errors.js'

/**
 * The schema, the one source of truth for the store's tables. A later
 * version appends a step to MIGRATIONS (never edits a shipped one);
 * `store_meta.schema_version` says how many steps a store has run.
 */
const SCHEMA_1 = `
  CREATE TABLE store_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    schema_version INTEGER NOT NULL,
    -- Latest timestamp of any accepted row (epoch ms); the data version; the views' selection policy.
    as_of INTEGER,
    data_version INTEGER NOT NULL DEFAULT 0,
    policy TEXT NOT NULL DEFAULT 'recent',
    -- The seq the next run's first row gets (core hands seqs out from it).
    next_seq INTEGER NOT NULL DEFAULT 1,
    -- The secret seed of key hashes, so that no file can aim its keys at one partition.
    key_seed INTEGER NOT NULL,
    -- The layout of core's packed rows in vehicle_rows.records.
    packed_rows_format INTEGER NOT NULL
  );
  CREATE TABLE ingest_runs (
    run_id TEXT PRIMARY KEY, run_seq INTEGER NOT NULL UNIQUE, status TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, report TEXT NOT NULL
  );
  CREATE TABLE ingest_files (
    run_id TEXT NOT NULL, position INTEGER NOT NULL, source TEXT NOT NULL, kind TEXT, bytes INTEGER, sha256 TEXT,
    rows_read INTEGER, accepted INTEGER, error_code TEXT, PRIMARY KEY (run_id, position)
  );
  CREATE INDEX ingest_files_sha256 ON ingest_files (sha256);
  -- Each vehicle's rows of a run: one blob of core's packed rows, in seq order.
  CREATE TABLE vehicle_rows (id INTEGER PRIMARY KEY, vehicle_id TEXT NOT NULL, run_seq INTEGER NOT NULL, records BLOB NOT NULL);
  CREATE INDEX vehicle_rows_vehicle ON vehicle_rows (vehicle_id, id);
  -- Every stored key's two hashes and the id of the blob holding its row, packed by key partition (core's key-index.ts).
  CREATE TABLE key_index (id INTEGER PRIMARY KEY, part INTEGER NOT NULL, entries BLOB NOT NULL);
  CREATE INDEX key_index_part ON key_index (part, id);
  CREATE TABLE rejected_rows (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, source TEXT NOT NULL, line INTEGER NOT NULL, kind TEXT NOT NULL,
    -- The raw fields as JSON, capped (core's reject-fields.ts); truncated is 1 when they were cut.
    fields TEXT NOT NULL, truncated INTEGER NOT NULL, reasons TEXT NOT NULL
  );
  CREATE TABLE duplicate_rows (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, source TEXT NOT NULL,
    line INTEGER NOT NULL, classification TEXT NOT NULL, kept TEXT, incoming TEXT
  );
  CREATE TABLE vehicle_views (
    vehicle_id TEXT PRIMARY KEY, qr_code TEXT, template TEXT NOT NULL,
    open_started_at INTEGER, open_ride_time_s INTEGER, open_revenue_cents INTEGER, content_hash TEXT NOT NULL
  );
  CREATE TABLE qr_claims (
    vehicle_id TEXT NOT NULL, qr_code TEXT NOT NULL, recency TEXT NOT NULL, PRIMARY KEY (vehicle_id, qr_code)
  );
  CREATE INDEX qr_claims_rank ON qr_claims (qr_code, recency);
`

/** Schema steps in order, each run once. */
export const MIGRATIONS: readonly ((db: Database.Database) => void)[] = [
  (db) => {
    db.exec(SCHEMA_1)
    db.prepare('INSERT INTO store_meta (id, schema_version, key_seed, packed_rows_format) VALUES (1, 0, ?, ?)').run(randomKeySeed(), PACKED_ROWS_FORMAT)
  },
]

/**
 * Runs the steps a store has not run yet, inside the caller's transaction.
 * A store made by a newer version, or whose packed rows have another layout
 * than this core's, is refused rather than misread.
 */
export function migrate(db: Database.Database, filename: string): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_meta'").get() !== undefined
  const current = exists ? (db.prepare('SELECT schema_version FROM store_meta WHERE id = 1').pluck().get() as number) : 0
  if (current > MIGRATIONS.length) {
    throw sqliteError('store_unreachable', `${filename} was made by a newer vehicle-perf (schema ${current}, this one knows ${MIGRATIONS.length}): upgrade @vehicle-perf/adapter-sqlite`)
  }
  for (let version = current; version < MIGRATIONS.length; version++) (MIGRATIONS[version] as (db: Database.Database) => void)(db)
  db.prepare('UPDATE store_meta SET schema_version = ? WHERE id = 1').run(MIGRATIONS.length)
  const problem = packedRowsFormatProblem(db.prepare('SELECT packed_rows_format FROM store_meta WHERE id = 1').pluck().get() as number)
  if (problem !== null) throw sqliteError('store_unreachable', `${filename} ${problem}`)
}
