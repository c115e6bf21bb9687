import type Database from 'better-sqlite3'
import type { StoredRow } from '@vehicle-perf/core'
import { candidateBlobIds, KeyIndexWriter, storedVersionsInBlobs, type FirstOfKey, type VehicleBlob } from '@vehicle-perf/core/spilled-run'

// The store's key index is core's (@vehicle-perf/core/spilled-run,
// key-index.ts): blobs of 12-byte entries by key partition in
// key_index (part, entries), pointing at vehicle_rows ids.

/** A key index writer whose blobs go into this store's key_index. */
export function keyIndexWriterFor(db: Database.Database): KeyIndexWriter {
  const insert = db.prepare('INSERT INTO key_index (part, entries) VALUES (?, ?)')
  return new KeyIndexWriter((part, entries) => insert.run(part, entries))
}

/**
 * The stored version of each key of a run's key partition that the store
 * already has, by the index of the key's first record in the run.
 */
export function storedVersionsOf(db: Database.Database, kindCode: number, part: number, firstOfKey: FirstOfKey): Map<number, StoredRow> {
  const entries = db.prepare('SELECT entries FROM key_index WHERE part = ?').pluck().iterate(part) as Iterable<Buffer>
  const blobById = db.prepare('SELECT vehicle_id AS vehicleId, records FROM vehicle_rows WHERE id = ?')
  function* blobs(): Iterable<VehicleBlob> {
    for (const id of candidateBlobIds(entries, firstOfKey)) {
      const found = blobById.get(id) as VehicleBlob | undefined
      if (found !== undefined) yield found
    }
  }
  return storedVersionsInBlobs(blobs(), kindCode, firstOfKey)
}
