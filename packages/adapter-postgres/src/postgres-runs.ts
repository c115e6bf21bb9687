import { drizzle } from 'drizzle-orm/node-postgres'
import { eq } from 'drizzle-orm'
import type { IngestReport, SelectionPolicy, StoreMeta } from '@vehicle-perf/core'
import type { QueryClient } from './pg-client.js'
import type { Tables } from './schema.js'

// The ordinary queries of a run: the store meta and the run record, through
// drizzle over the run's own connection.

/** JSON text without U+0000, which jsonb cannot hold (an error message may quote a file's bytes). */
function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('\\u0000', '\\ufffd')) as T
}

export async function readMeta(client: QueryClient, tables: Tables): Promise<StoreMeta> {
  const [row] = await drizzle({ client }).select().from(tables.storeMeta).where(eq(tables.storeMeta.id, 1))
  return { asOf: row?.asOf ?? null, dataVersion: row?.dataVersion ?? 0, policy: (row?.policy ?? 'recent') as SelectionPolicy, nextSeq: row?.nextSeq ?? 1 }
}

export async function recordRun(client: QueryClient, tables: Tables, report: IngestReport): Promise<void> {
  const db = drizzle({ client })
  const safe = jsonSafe(report)
  await db.insert(tables.ingestRuns).values({ runId: safe.run_id, status: safe.status, startedAt: safe.started_at, finishedAt: safe.finished_at, report: safe })
  // A statement binds at most 65,535 parameters: files go in chunks.
  for (let from = 0; from < safe.files.length; from += 1000) {
    await db.insert(tables.ingestFiles).values(
      safe.files.slice(from, from + 1000).map((file, i) => ({
      runId: safe.run_id,
      position: from + i,
      source: file.source,
      kind: file.kind,
      bytes: file.bytes,
      sha256: file.sha256,
      rowsRead: file.rows_read ?? null,
      accepted: file.accepted ?? null,
      errorCode: file.error?.code ?? null,
      })),
    )
  }
}
