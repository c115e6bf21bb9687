import type Database from 'better-sqlite3'
import { ROW_KINDS, type StoredRow } from '@vehicle-perf/core'
import { packedRowKey, packedRowKindCode, packedRowSizeAt, unpackRow } from '@vehicle-perf/core/packed-rows'
import { KEY_PARTITIONS, keyPartOf, recordKeyHashHi, recordKeyHashLo, recordKindCode, type FirstOfKey } from '@vehicle-perf/core/spilled-run'

// The store's key index: for every stored key, its two 32-bit hashes and the
// id of the vehicle blob that holds its row, 12 bytes, packed into blobs by
// key partition (key_index.part = kind code * KEY_PARTITIONS + low hash bits).
// A run reads only the partitions it staged keys in, and confirms every hash
// match in the blob itself: two keys may share a hash, never a stored row.

export const KEY_ENTRY_BYTES = 12
const ENTRIES_PER_BLOB = 8192

/** Collects a run's new index entries and writes them in blobs of 8,192. */
export class KeyIndexWriter {
  /** Each key index part's entries not written yet (an array by part: ~11M adds at scale 100). */
  private readonly pending = new Array<Buffer | undefined>(ROW_KINDS.length * KEY_PARTITIONS).fill(undefined)
  private readonly used = new Uint32Array(ROW_KINDS.length * KEY_PARTITIONS)
  private readonly insert: Database.Statement

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO key_index (part, entries) VALUES (?, ?)')
  }

  /** The key of the spilled record at `offset` of `records`, stored in blob `blobId`. */
  add(records: Buffer, offset: number, blobId: number): void {
    if (blobId > 0xffffffff) throw new Error(`vehicle_rows id ${blobId} does not fit the key index's 32 bits`)
    const lo = recordKeyHashLo(records, offset)
    const part = keyPartOf(recordKindCode(records, offset), lo & (KEY_PARTITIONS - 1))
    let bytes = this.pending[part]
    if (bytes === undefined) {
      bytes = Buffer.allocUnsafe(ENTRIES_PER_BLOB * KEY_ENTRY_BYTES)
      this.pending[part] = bytes
    }
    const at = this.used[part] as number
    bytes.writeUInt32LE(lo, at)
    bytes.writeUInt32LE(recordKeyHashHi(records, offset), at + 4)
    bytes.writeUInt32LE(blobId, at + 8)
    this.used[part] = at + KEY_ENTRY_BYTES
    if (at + KEY_ENTRY_BYTES === bytes.length) this.write(part)
  }

  flush(): void {
    for (let part = 0; part < this.used.length; part++) if ((this.used[part] as number) > 0) this.write(part)
  }

  private write(part: number): void {
    this.insert.run(part, (this.pending[part] as Buffer).subarray(0, this.used[part]))
    this.used[part] = 0
  }
}

/**
 * The stored version of each key of a run's key partition that the store
 * already has, by the index of the key's first record in the run. The index
 * gives candidate blobs by hash; each key is confirmed in the blob itself
 * (two keys may share a hash).
 */
export function storedVersionsOf(db: Database.Database, kindCode: number, part: number, firstOfKey: FirstOfKey): Map<number, StoredRow> {
  const candidateBlobs = new Set<number>()
  for (const entries of db.prepare('SELECT entries FROM key_index WHERE part = ?').pluck().iterate(part) as Iterable<Buffer>) {
    for (let e = 0; e < entries.length; e += KEY_ENTRY_BYTES) {
      if (firstOfKey.hasHash(entries.readUInt32LE(e), entries.readUInt32LE(e + 4))) candidateBlobs.add(entries.readUInt32LE(e + 8))
    }
  }
  const stored = new Map<number, StoredRow>()
  const blobById = db.prepare('SELECT vehicle_id, records FROM vehicle_rows WHERE id = ?')
  for (const id of candidateBlobs) {
    const found = blobById.get(id) as { vehicle_id: string; records: Buffer } | undefined
    if (found === undefined) continue
    const { vehicle_id: vehicleId, records } = found
    for (let offset = 0; offset < records.length; offset += packedRowSizeAt(records, offset)) {
      if (packedRowKindCode(records, offset) !== kindCode) continue
      const first = firstOfKey.find(kindCode, packedRowKey(records, offset))
      if (first !== undefined) stored.set(first, unpackRow(records, offset, vehicleId))
    }
  }
  return stored
}
