import pg from 'pg'
import { lookupVehicle, type OperationRow, type RejectReason, type RowKind, type StorageAdapter, type StoredRow } from '@vehicle-perf/core'
import { unpackRecords } from '@vehicle-perf/core/packed-rows'
import type { StoreContents } from '@vehicle-perf/core/testing'

pg.types.setTypeParser(20, Number)

/** Runs `read` on a client of its own (never the adapter under test). */
export async function withClient<T>(url: string, read: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await read(client)
  } finally {
    await client.end()
  }
}

type Row = Record<string, unknown>

/** Everything a schema holds, read back with plain SQL (the conformance suite's readBack). */
export function storeContentsOf(url: string, schema: string): Promise<StoreContents> {
  return withClient(url, async (client) => {
    const all = async (sql: string): Promise<Row[]> => (await client.query(sql)).rows as Row[]
    const rows: StoredRow[] = []
    for (const r of await all(`SELECT vehicle_id, records FROM "${schema}".vehicle_rows ORDER BY id`)) {
      unpackRecords(r.records as Buffer, r.vehicle_id as string, rows)
    }
    return {
      rows,
      rejects: (await all(`SELECT * FROM "${schema}".rejected_rows ORDER BY id`)).map((r) => ({
        runId: r.run_id as string,
        source: r.source as string,
        line: r.line as number,
        kind: r.kind as RowKind,
        fields: r.fields as string[],
        truncated: r.truncated as boolean,
        reasons: r.reasons as RejectReason[],
      })),
      duplicates: (await all(`SELECT * FROM "${schema}".duplicate_rows ORDER BY id`)).map((d) => ({
        runId: d.run_id as string,
        kind: d.kind as RowKind,
        key: d.key as string,
        source: d.source as string,
        line: d.line as number,
        classification: d.classification as 'exact' | 'conflict',
        kept: d.kept as OperationRow | null,
        incoming: d.incoming as OperationRow | null,
      })),
      views: (await all(`SELECT vehicle_id, content_hash FROM "${schema}".vehicle_views`)).map((v) => ({ vehicleId: v.vehicle_id as string, contentHash: v.content_hash as string })),
      qrClaims: (await all(`SELECT * FROM "${schema}".qr_claims`)).map((c) => ({ vehicleId: c.vehicle_id as string, qrCode: c.qr_code as string, recency: c.recency as string })),
      runs: (await all(`SELECT run_id, status, started_at FROM "${schema}".ingest_runs`)).map((r) => ({ runId: r.run_id as string, status: r.status as 'succeeded' | 'failed', startedAt: r.started_at as string })),
    }
  })
}

/** Every key `reference` finds, as a server would get it, and `adapter`'s answer to it: status and body. */
export async function answersOf(reference: StorageAdapter, adapter: StorageAdapter): Promise<Map<string, string>> {
  const result = new Map<string, string>()
  for await (const chunk of reference.listKeys(500)) {
    for (const key of chunk.keys) {
      const answer = await lookupVehicle(adapter, key.value)
      result.set(`${key.type}:${key.value}`, `${answer.status} ${answer.status === 200 ? answer.body : ''}`)
    }
  }
  return result
}
