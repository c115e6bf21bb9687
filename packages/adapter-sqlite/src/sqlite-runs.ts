import type Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import type { IngestReport, SelectionPolicy, StoreMeta } from '@vehicle-perf/core'
import { ingestFiles, ingestRuns } from './schema.js'

// Run records through drizzle (not a hot path). The store meta is read on
// every cache revalidation of a server, so it uses one prepared statement per
// connection instead of building the query each time.

const metaStatements = new WeakMap<Database.Database, Database.Statement>()

export function readMeta(db: Database.Database): StoreMeta {
  let statement = metaStatements.get(db)
  if (statement === undefined) {
    statement = db.prepare('SELECT as_of, data_version, policy FROM store_meta WHERE id = 1')
    metaStatements.set(db, statement)
  }
  const row = statement.get() as { as_of: number | null; data_version: number; policy: string } | undefined
  return { asOf: row?.as_of ?? null, dataVersion: row?.data_version ?? 0, policy: (row?.policy ?? 'recent') as SelectionPolicy }
}

export function nextRunSeq(db: Database.Database): number {
  return ((db.prepare('SELECT max(run_seq) FROM ingest_runs').pluck().get() as number | null) ?? 0) + 1
}

export function recordRun(db: Database.Database, report: IngestReport, runSeq: number): void {
  const orm = drizzle({ client: db })
  orm
    .insert(ingestRuns)
    .values({ runId: report.run_id, runSeq, status: report.status, startedAt: report.started_at, finishedAt: report.finished_at, report: JSON.stringify(report) })
    .run()
  report.files.forEach((file, position) => {
    orm
      .insert(ingestFiles)
      .values({
        runId: report.run_id,
        position,
        source: file.source,
        kind: file.kind,
        bytes: file.bytes,
        sha256: file.sha256,
        rowsRead: file.rows_read ?? null,
        accepted: file.accepted ?? null,
        errorCode: file.error?.code ?? null,
      })
      .run()
  })
}
