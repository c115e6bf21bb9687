import Database from 'better-sqlite3'
import type { OperationRow } from '@vehicle-perf/core'
import { readPackedRow, packedRowSize } from '@vehicle-perf/adapter-sqlite'

/** Every row a store file holds, read from its vehicle blobs on a connection of its own. */
export function storedRowsIn(filename: string): OperationRow[] {
  const db = new Database(filename, { readonly: true })
  try {
    const rows: OperationRow[] = []
    for (const blob of db.prepare('SELECT records FROM vehicle_rows ORDER BY id').pluck().all() as Buffer[]) {
      for (let offset = 0; offset < blob.length; offset += packedRowSize(blob, offset)) rows.push(readPackedRow(blob, offset))
    }
    return rows
  } finally {
    db.close()
  }
}
