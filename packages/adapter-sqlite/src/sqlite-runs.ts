import type Database from 'better-sqlite3'
import type { IngestReport, SelectionPolicy, StoreMeta } from '@vehicle-perf/core'

// Run records and the store meta. The meta is read on every cache
// revalidation of a server, so it uses one prepared statement per connection.

const metaStatements = new WeakMap<Database.Database, Database.Statement>()

export function readMeta(db: Database.Database): StoreMeta {
  let statement = metaStatements.get(db)
  if (statement === undefined) {
    statement = db.prepare('SELECT as_of, data_version, policy, next_seq FROM store_meta WHERE id = 1')
    metaStatements.set(db, statement)
  }
  const row = statement.get() as { as_of: number | null; data_version: number; policy: string; next_seq: number } | undefined
  return { asOf: row?.as_of ?? null, dataVersion: row?.data_version ?? 0, policy: (row?.policy ?? 'recent') as SelectionPolicy, nextSeq: row?.next_seq ?? 1 }
}

export function nextRunSeq(db: Database.Database): number {
  return ((db.prepare('SELECT max(run_seq) FROM ingest_runs').pluck().get() as number | null) ?? 0) + 1
}

export function recordRun(db: Database.Database, report: IngestReport, runSeq: number): void {
  db.prepare('INSERT INTO ingest_runs (run_id, run_seq, status, started_at, finished_at, report) VALUES (?, ?, ?, ?, ?, ?)').run(
    report.run_id,
    runSeq,
    report.status,
    report.started_at,
    report.finished_at,
    JSON.stringify(report),
  )
  const insertFile = db.prepare('INSERT INTO ingest_files (run_id, position, source, kind, bytes, sha256, rows_read, accepted, error_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
  report.files.forEach((file, position) => {
    insertFile.run(report.run_id, position, file.source, file.kind, file.bytes, file.sha256, file.rows_read ?? null, file.accepted ?? null, file.error?.code ?? null)
  })
}
