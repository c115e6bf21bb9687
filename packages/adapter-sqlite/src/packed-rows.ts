import {
  ROW_KIND_CODES,
  ROW_RECORD,
  ROW_RECORD_SIZES,
  readRowRecord,
  rowRecordKey,
  rowKey,
  rowRecordSize,
  withoutSeq,
  writeRowRecord,
  type OperationRow,
} from '@vehicle-perf/core'

// How a run spills rows to its temp files: core's row record (the stored
// form, rows/row-records.ts in core) behind what only a run needs. Storage
// only: no rule lives here.
//
//   0 file u32 | 4 line u32 | 8 key hash (lo u32, hi u32) | 16 vehicle id 20 B
//   36 the row record (kind u8 first): 48, 54 or 88 bytes
//   deployment: 84 bytes; pickup: 90 bytes; ride: 124 bytes.
//   A touch mark (a stored vehicle to re-render) is the first 36 bytes and
//   kind 3: 40 bytes.
//
// Stored, a row is its row record alone, in its vehicle's blob: the vehicle
// id is the blob's, file, line and key hashes only a run needs.

export const TOUCH_MARK = 3
/** Where the row record starts in a spilled record. */
const ROW = 36
export const RECORD_SIZES: readonly number[] = [...ROW_RECORD_SIZES.map((size) => ROW + size), ROW + 4]

export const KEY_HASH_LO = 8
export const KEY_HASH_HI = 12
/** Ids (vehicle, task, ride) are exactly this many ASCII characters, one byte each. */
export const ID_BYTES = 20
/** Where a spilled record's vehicle id starts (ID_BYTES). */
export const VEHICLE = 16
/** Where a spilled record's key starts (ID_BYTES). */
export const KEY = ROW + ROW_RECORD.key

/**
 * Two independent 32-bit hashes of a key: FNV-1a from a basis mixed with the
 * store's secret seed and the kind (key spaces are per kind), then murmur3's
 * finaliser, so every bit, the partition bits included, depends on every
 * character. Without the seed and the finaliser, ids that differ by 64 in a
 * character ("0" and "p") share FNV's low bits: a crafted file could put
 * every row into one partition, and memory would grow with the input.
 */
export function keyHashLo(kindCode: number, key: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed ^ kindCode) >>> 0
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return finalMix(h)
}

export function keyHashHi(kindCode: number, key: string, seed: number): number {
  let h = (0x050c5d1f ^ Math.imul(seed, 0x9e3779b1) ^ (kindCode << 8)) >>> 0
  for (let i = key.length - 1; i >= 0; i--) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return finalMix(h)
}

function finalMix(value: number): number {
  let h = value ^ (value >>> 16)
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * Writes `row` at `offset` of `target` (which has RECORD_SIZES[kind] bytes
 * free there), its key hashed with the store's `keySeed`. `hashLo` is the
 * key's keyHashLo when the caller has it already (it picked the partition
 * with it).
 */
export function writeRecord(target: Buffer, offset: number, row: OperationRow, seq: number, file: number, line: number, keySeed: number, hashLo?: number): void {
  const code = ROW_KIND_CODES[row.kind]
  const key = rowKey(row)
  target.writeUInt32LE(file, offset)
  target.writeUInt32LE(line, offset + 4)
  target.writeUInt32LE(hashLo ?? keyHashLo(code, key, keySeed), offset + KEY_HASH_LO)
  target.writeUInt32LE(keyHashHi(code, key, keySeed), offset + KEY_HASH_HI)
  for (let i = 0; i < ID_BYTES; i++) target[offset + VEHICLE + i] = row.vehicleId.charCodeAt(i)
  writeRowRecord(target, offset + ROW, row, seq)
}

/** A touch mark: "re-render this stored vehicle" (a policy change re-renders all of them). */
export function writeTouchMark(target: Buffer, offset: number, vehicleId: string): void {
  target.fill(0, offset, offset + RECORD_SIZES[TOUCH_MARK]!)
  target.write(vehicleId, offset + VEHICLE, ID_BYTES, 'latin1')
  target[offset + ROW] = TOUCH_MARK
}

export function recordSize(source: Buffer, offset: number): number {
  const size = RECORD_SIZES[source[offset + ROW] as number]
  if (size === undefined) throw new Error(`corrupt row record (kind ${source[offset + ROW]}) at byte ${offset}`)
  return size
}

export const recordKindCode = (source: Buffer, offset: number): number => source[offset + ROW] as number
export const recordFile = (source: Buffer, offset: number): number => source.readUInt32LE(offset)
export const recordLine = (source: Buffer, offset: number): number => source.readUInt32LE(offset + 4)
export const recordSeq = (source: Buffer, offset: number): number => source.readDoubleLE(offset + ROW + ROW_RECORD.seq)
export const recordKey = (source: Buffer, offset: number): string => rowRecordKey(source, offset + ROW)
export const recordVehicle = (source: Buffer, offset: number): string => source.toString('latin1', offset + VEHICLE, offset + VEHICLE + ID_BYTES)

/** The row of a spilled record; pickups keep their seq (the QR-claim tie-break needs it). */
export function readRecord(source: Buffer, offset: number): OperationRow {
  return readRowRecord(source, offset + ROW, recordVehicle(source, offset))
}

/** Whether the ID_BYTES at `at` of `a` and at `bAt` of `b` are the same (two ids, compared without strings). */
export function sameId(a: Buffer, at: number, b: Buffer, bAt: number): boolean {
  for (let i = 0; i < ID_BYTES; i++) if (a[at + i] !== b[bAt + i]) return false
  return true
}

/** The row of a stored record (in a blob of `vehicleId`'s rows); pickups keep their seq. */
export const readStoredRecord = readRowRecord
export const storedRecordSize = rowRecordSize

/** Writes the spilled record at `offset` of `source` as a stored one at `at` of `target`; returns its size. */
export function writeStoredRecord(source: Buffer, offset: number, target: Buffer, at: number): number {
  const size = recordSize(source, offset) - ROW
  // A byte loop: for 48-88 bytes it beats Buffer.copy's call overhead.
  for (let i = 0; i < size; i++) target[at + i] = source[offset + ROW + i] as number
  return size
}

/** A row as a duplicate's two versions are compared: without the pickup's seq. */
export function readPlainRow(source: Buffer, offset: number): OperationRow {
  return withoutSeq(readRecord(source, offset))
}

