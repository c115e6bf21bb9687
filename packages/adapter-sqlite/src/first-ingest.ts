import type Database from 'better-sqlite3'

/**
 * The first ingest into an empty store, usually the import of a fleet's
 * history and the largest run it will ever make, goes without the WAL.
 *
 * In WAL mode every page a run writes goes to the WAL, then the commit's
 * checkpoint copies it into the store: at scale 100 that is 2.1 GB written
 * twice, and the checkpoint alone took 7-9 s of a 57-62 s run. With a
 * rollback journal, pages past the end of the file (all of them, in an empty
 * store) need no journal: each is written once, and a run that fails or is
 * killed is still undone (the journal restores the few pages that existed and
 * the file is cut back to its old size).
 *
 * The switch only happens when no other connection has the store open
 * (SQLite refuses it otherwise, and the run goes through the WAL as any
 * other). The run then holds an EXCLUSIVE lock: a connection opened during it
 * gets `store_busy` instead of reading (there is nothing to read yet), and
 * the run's page cache can always spill to the file. Afterwards the store is
 * back in WAL mode.
 */
export function storeIsEmpty(db: Database.Database): boolean {
  return db.prepare('SELECT NOT EXISTS (SELECT 1 FROM vehicle_views) AND NOT EXISTS (SELECT 1 FROM vehicle_rows)').pluck().get() === 1
}

/** Leaves WAL mode for a rollback journal; false (still in WAL mode) when another connection has the store open. */
export function leaveWal(db: Database.Database): boolean {
  try {
    if (db.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') return false
  } catch {
    return false
  }
  // With a rollback journal, NORMAL leaves a small window for corruption at a power cut; FULL closes it (a few syncs a run).
  db.pragma('synchronous = FULL')
  return true
}

/** Back to WAL mode; if a reader holds the store at that moment, the next ingest or open switches it. */
export function returnToWal(db: Database.Database): void {
  try {
    db.pragma('journal_mode = WAL')
  } catch {
    // Retried by the next beginIngest.
  }
  db.pragma('synchronous = NORMAL')
}

export function inWalMode(db: Database.Database): boolean {
  return db.pragma('journal_mode', { simple: true }) === 'wal'
}
