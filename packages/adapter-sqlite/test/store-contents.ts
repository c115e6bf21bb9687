import Database from 'better-sqlite3'
import type { OperationRow, RejectReason, RowKind, StoredRow } from '@vehicle-perf/core'
import { unpackRecords } from '@vehicle-perf/core/packed-rows'
import type { StoreContents } from '@vehicle-perf/core/testing'

/** Runs `read` on a read-only connection of its own to a store file. */
function withReader<T>(filename: string, read: (db: Database.Database) => T): T {
  const db = new Database(filename, { readonly: true })
  try {
    return read(db)
  } finally {
    db.close()
  }
}

function rowsOf(db: Database.Database): StoredRow[] {
  const rows: StoredRow[] = []
  for (const { vehicle_id, records } of db.prepare('SELECT vehicle_id, records FROM vehicle_rows ORDER BY id').all() as { vehicle_id: string; records: Buffer }[]) {
    unpackRecords(records, vehicle_id, rows)
  }
  return rows
}

/** Every row a store file holds, read from its vehicle blobs with core's decoder. */
export function storedRowsIn(filename: string): StoredRow[] {
  return withReader(filename, rowsOf)
}

/** Everything a store file holds, read back with SQL on a connection of its own (the conformance suite's readBack). */
export function storeContentsOf(filename: string): StoreContents {
  return withReader(filename, (db) => ({
    rows: rowsOf(db),
    rejects: (db.prepare('SELECT run_id, source, line, kind, fields, truncated, reasons FROM rejected_rows ORDER BY id').all() as Record<string, string | number>[]).map((r) => ({
      runId: String(r.run_id),
      source: String(r.source),
      line: Number(r.line),
      kind: r.kind as RowKind,
      fields: JSON.parse(String(r.fields)) as string[],
      truncated: r.truncated === 1,
      reasons: String(r.reasons).split(',') as RejectReason[],
    })),
    duplicates: (db.prepare('SELECT run_id, kind, key, source, line, classification, kept, incoming FROM duplicate_rows ORDER BY id').all() as Record<string, string | number | null>[]).map((d) => ({
      runId: String(d.run_id),
      kind: d.kind as RowKind,
      key: String(d.key),
      source: String(d.source),
      line: Number(d.line),
      classification: d.classification as 'exact' | 'conflict',
      kept: d.kept === null ? null : (JSON.parse(String(d.kept)) as OperationRow),
      incoming: d.incoming === null ? null : (JSON.parse(String(d.incoming)) as OperationRow),
    })),
    views: (db.prepare('SELECT vehicle_id, content_hash FROM vehicle_views').all() as { vehicle_id: string; content_hash: string }[]).map((v) => ({ vehicleId: v.vehicle_id, contentHash: v.content_hash })),
    qrClaims: (db.prepare('SELECT vehicle_id, qr_code, recency FROM qr_claims').all() as { vehicle_id: string; qr_code: string; recency: string }[]).map((c) => ({ vehicleId: c.vehicle_id, qrCode: c.qr_code, recency: c.recency })),
    runs: (db.prepare('SELECT run_id, status, started_at FROM ingest_runs').all() as { run_id: string; status: 'succeeded' | 'failed'; started_at: string }[]).map((r) => ({ runId: r.run_id, status: r.status, startedAt: r.started_at })),
  }))
}
