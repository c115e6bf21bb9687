import type { StoredRow } from '../rows/row-types.js'
import { packedRowKindCode, packedRowSizeAt, unpackRow } from '../rows/packed-rows.js'
import { ROW_KINDS } from '../rows/kinds.js'
import type { FirstOfKey } from './first-of-key.js'
import { KEY_PARTITIONS, keyPartOf } from './run-spill.js'
import { recordKeyHashHi, recordKeyHashLo, recordKindCode } from './spill-records.js'

// A store's key index, for a store that keeps rows as packed blobs per
// vehicle (adapter-sqlite, adapter-postgres): for every stored key, its two
// 32-bit hashes (under the store's key seed) and the id of the blob that
// holds its row, 12 bytes, packed into blobs by key partition
// (part = kind code * KEY_PARTITIONS + low hash bits). A run reads only the
// partitions it staged keys in, and confirms every hash match in the blob
// itself: two keys may share a hash, never a stored row. The store keeps the
// (part, entries) blobs and the blobs by id; the layout is here, once.

export const KEY_ENTRY_BYTES = 12
/** Entries per key index blob: a blob is 96 KiB at most. */
export const KEY_ENTRIES_PER_BLOB = 8192

/** The largest blob id an entry holds (32 bits). */
const MAX_BLOB_ID = 0xffffffff

/** Collects a run's new index entries and hands each part's over in blobs of KEY_ENTRIES_PER_BLOB. */
export class KeyIndexWriter {
  /** Each part's entries not handed over yet (an array by part: ~11M adds at scale 100). */
  private readonly pending = new Array<Buffer | undefined>(ROW_KINDS.length * KEY_PARTITIONS).fill(undefined)
  private readonly used = new Uint32Array(ROW_KINDS.length * KEY_PARTITIONS)

  /** `write` gets a part and its entries, a view valid during the call only (the writer reuses it). */
  constructor(private readonly write: (part: number, entries: Buffer) => void) {}

  /** The key of the spilled record at `offset` of `records` (FreshRows), stored in blob `blobId`. */
  add(records: Buffer, offset: number, blobId: number): void {
    this.addHashes(recordKindCode(records, offset), recordKeyHashLo(records, offset), recordKeyHashHi(records, offset), blobId)
  }

  /** A key by its kind code and hashes (keyHashLo, keyHashHi under the store's seed), stored in blob `blobId`. */
  addHashes(kindCode: number, lo: number, hi: number, blobId: number): void {
    if (blobId > MAX_BLOB_ID) throw new Error(`blob id ${blobId} does not fit the key index's 32 bits`)
    const part = keyPartOf(kindCode, lo & (KEY_PARTITIONS - 1))
    let bytes = this.pending[part]
    if (bytes === undefined) {
      bytes = Buffer.allocUnsafe(KEY_ENTRIES_PER_BLOB * KEY_ENTRY_BYTES)
      this.pending[part] = bytes
    }
    const at = this.used[part] as number
    bytes.writeUInt32LE(lo, at)
    bytes.writeUInt32LE(hi, at + 4)
    bytes.writeUInt32LE(blobId, at + 8)
    this.used[part] = at + KEY_ENTRY_BYTES
    if (at + KEY_ENTRY_BYTES === bytes.length) this.handOver(part)
  }

  /** Hands over every part's entries not handed over yet. */
  flush(): void {
    for (let part = 0; part < this.used.length; part++) if ((this.used[part] as number) > 0) this.handOver(part)
  }

  private handOver(part: number): void {
    this.write(part, (this.pending[part] as Buffer).subarray(0, this.used[part]))
    this.used[part] = 0
  }
}

/** The ids of the blobs whose entries (a part's key index blobs) match the hashes of a key in `keys`. */
export function candidateBlobIds(entryBlobs: Iterable<Buffer>, keys: FirstOfKey): Set<number> {
  const candidates = new Set<number>()
  for (const entries of entryBlobs) {
    for (let e = 0; e < entries.length; e += KEY_ENTRY_BYTES) {
      if (keys.hasHash(entries.readUInt32LE(e), entries.readUInt32LE(e + 4))) candidates.add(entries.readUInt32LE(e + 8))
    }
  }
  return candidates
}

/** A stored blob: one vehicle's packed rows of one run. */
export interface VehicleBlob {
  vehicleId: string
  records: Buffer
}

/**
 * The stored version of each key of `keys` (of kind `kindCode`) found in
 * these blobs (the candidates' blobs), by the index of the key's first
 * record in the run.
 */
export function storedVersionsInBlobs(blobs: Iterable<VehicleBlob>, kindCode: number, keys: FirstOfKey): Map<number, StoredRow> {
  const stored = new Map<number, StoredRow>()
  for (const { vehicleId, records } of blobs) {
    for (let offset = 0; offset < records.length; offset += packedRowSizeAt(records, offset)) {
      if (packedRowKindCode(records, offset) !== kindCode) continue
      const first = keys.findPacked(kindCode, records, offset)
      if (first !== undefined) stored.set(first, unpackRow(records, offset, vehicleId))
    }
  }
  return stored
}
