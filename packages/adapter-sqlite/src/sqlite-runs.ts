import type Database from 'better-sqlite3'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import type { IngestReport, SelectionPolicy, StoreMeta } from '@vehicle-perf/core'
import { ingestFiles, ingestRuns, storeMeta } from './schema.js'

// Run records and store meta, through drizzle: not on any hot path.

export function readMeta(db: Database.Database): StoreMeta {
  const row = drizzle({ client: db }).select().from(storeMeta).where(eq(storeMeta.id, 1)).get()
  return { asOf: row?.asOf ?? null, dataVersion: row?.dataVersion ?? 0, policy: (row?.policy ?? 'recent') as SelectionPolicy }
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
