import type Database from 'better-sqlite3'
import type { RowKind } from '@vehicle-perf/core'
import { ROW_KINDS, ROW_TABLES } from './row-columns.js'

// Connection-local temp tables of an ingest run. temp_store = FILE keeps them
// on disk, so a run of any size stages in bounded memory. They take part in
// the run's transaction and savepoints: a failed file's staged rows go with it.

/**
 * A run's valid rows of one kind, appended in read order (seq), unindexed.
 * `lost` is set on the rows that resolving turns away: a later version of a
 * key, or a key stored before. They are the run's duplicates.
 */
export function stageTable(kind: RowKind): string {
  return `temp.stage_${ROW_TABLES[kind].table}`
}

/** Created outside any transaction (before BEGIN), once per connection. */
export function createTempTables(db: Database.Database): void {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS touched_vehicles (vehicle_id TEXT PRIMARY KEY)')
  for (const kind of ROW_KINDS) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${stageTable(kind)} (seq INTEGER PRIMARY KEY, file INTEGER NOT NULL, line INTEGER NOT NULL, ${ROW_TABLES[kind].columns.join(', ')}, lost INTEGER)`)
  }
}

export function clearTempTables(db: Database.Database): void {
  db.exec('DELETE FROM temp.touched_vehicles')
  for (const kind of ROW_KINDS) db.exec(`DELETE FROM ${stageTable(kind)}`)
}
