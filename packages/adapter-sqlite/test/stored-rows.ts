import Database from 'better-sqlite3'
import type { OperationRow } from '@vehicle-perf/core'
import { readStoredRecord, storedRecordSize } from '@vehicle-perf/adapter-sqlite'

/** Every row a store file holds, read from its vehicle blobs on a connection of its own. */
export function storedRowsIn(filename: string): OperationRow[] {
  const db = new Database(filename, { readonly: true })
  try {
    const rows: OperationRow[] = []
    for (const { vehicle_id, records } of db.prepare('SELECT vehicle_id, records FROM vehicle_rows ORDER BY id').all() as { vehicle_id: string; records: Buffer }[]) {
      for (let offset = 0; offset < records.length; offset += storedRecordSize(records, offset)) rows.push(readStoredRecord(records, offset, vehicle_id))
    }
    return rows
  } finally {
    db.close()
  }
}
