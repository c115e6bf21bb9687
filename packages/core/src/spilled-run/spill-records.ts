import { rowKey, type OperationRow, type StoredRow } from '../rows/row-types.js'
import { seededHash } from '../seeded-hash.js'
import { PACKED_ROW_KIND_CODES, packedKeyHash, packedRowSizeAt, packedRowSize, packedRowKey, packedRowSeq, packRow, samePackedKey, packedKeyIs, unpackRow } from '../rows/packed-rows.js'

// How a run spills rows to its temp files: a prefix of what only a run needs,
// then core's packed row (the stored form). Storage only: no rule lives here.
//
//   0 file u32 | 4 line u32 | 8 key hash (lo u32, hi u32) | 16 vehicle id 20 B
//   36 core's packed row (its kind code first)
//   deployment: 84 bytes; pickup: 90 bytes; ride: 124 bytes.
//   A touch mark (a stored vehicle to re-render) is the prefix and kind 3:
//   40 bytes.
//
// Stored, a row is its packed row alone, in its vehicle's blob: the vehicle
// id is the blob's; file, line and key hashes only a run needs.

export const TOUCH_MARK = 3
/** Where the packed row starts in a spilled record. */
const ROW = 36
/** Spilled record sizes by kind code (PACKED_ROW_KIND_CODES), then the touch mark's. */
export const RECORD_SIZES: readonly number[] = [
  ROW + packedRowSize('deployment'),
  ROW + packedRowSize('pickup'),
  ROW + packedRowSize('ride'),
  ROW + 4,
]

export const KEY_HASH_LO = 8
export const KEY_HASH_HI = 12
/** Ids (vehicle, task, ride) are exactly this many ASCII characters, one byte each. */
export const ID_BYTES = 20
/** Where a spilled record's vehicle id starts (ID_BYTES). */
export const VEHICLE = 16

/**
 * Two 32-bit hashes of a key, seeded with the store's secret seed and the
 * kind (key spaces are per kind): core's seeded hash, so that no file can
 * aim its keys at one partition.
 */
export function keyHashLo(kindCode: number, key: string, seed: number): number {
  return seededHash(key, loSeed(kindCode, seed))
}

export function keyHashHi(kindCode: number, key: string, seed: number): number {
  return seededHash(key, hiSeed(kindCode, seed))
}

/** keyHashLo of the key of the packed row at `at` (a stored blob's), from its bytes: no string. */
export function packedKeyHashLo(kindCode: number, packed: Buffer, at: number, seed: number): number {
  return packedKeyHash(packed, at, loSeed(kindCode, seed))
}

/** keyHashHi of the key of the packed row at `at`, from its bytes. */
export function packedKeyHashHi(kindCode: number, packed: Buffer, at: number, seed: number): number {
  return packedKeyHash(packed, at, hiSeed(kindCode, seed))
}

const loSeed = (kindCode: number, seed: number): number => seed ^ (kindCode * 0x01000193)
const hiSeed = (kindCode: number, seed: number): number => seed ^ 0x2545f491 ^ (kindCode * 0x01000193)

/**
 * Writes `row` at `offset` of `target` (which has RECORD_SIZES[kind] bytes
 * free there), its key hashed with the store's `keySeed`. `hashLo` is the
 * key's keyHashLo when the caller has it already (it picked the partition
 * with it).
 */
export function writeRecord(target: Buffer, offset: number, row: OperationRow, seq: number, file: number, line: number, keySeed: number, hashLo?: number): void {
  const code = PACKED_ROW_KIND_CODES[row.kind]
  const key = rowKey(row)
  target.writeUInt32LE(file, offset)
  target.writeUInt32LE(line, offset + 4)
  target.writeUInt32LE(hashLo ?? keyHashLo(code, key, keySeed), offset + KEY_HASH_LO)
  target.writeUInt32LE(keyHashHi(code, key, keySeed), offset + KEY_HASH_HI)
  for (let i = 0; i < ID_BYTES; i++) target[offset + VEHICLE + i] = row.vehicleId.charCodeAt(i)
  packRow(target, offset + ROW, row, seq)
}

/** A touch mark: "re-render this stored vehicle" (a policy change re-renders all of them). */
export function writeTouchMark(target: Buffer, offset: number, vehicleId: string): void {
  target.fill(0, offset, offset + RECORD_SIZES[TOUCH_MARK]!)
  target.write(vehicleId, offset + VEHICLE, ID_BYTES, 'latin1')
  target[offset + ROW] = TOUCH_MARK
}

export function recordSize(source: Buffer, offset: number): number {
  const size = RECORD_SIZES[source[offset + ROW] as number]
  if (size === undefined) throw new Error(`corrupt spilled record (kind ${source[offset + ROW]}) at byte ${offset}`)
  return size
}

export const recordKindCode = (source: Buffer, offset: number): number => source[offset + ROW] as number
/** A spilled record's two key hashes (keyHashLo, keyHashHi of its key). */
export const recordKeyHashLo = (source: Buffer, offset: number): number => source.readUInt32LE(offset + KEY_HASH_LO)
export const recordKeyHashHi = (source: Buffer, offset: number): number => source.readUInt32LE(offset + KEY_HASH_HI)
export const recordFile = (source: Buffer, offset: number): number => source.readUInt32LE(offset)
export const recordLine = (source: Buffer, offset: number): number => source.readUInt32LE(offset + 4)
export const recordSeq = (source: Buffer, offset: number): number => packedRowSeq(source, offset + ROW)
export const recordKey = (source: Buffer, offset: number): string => packedRowKey(source, offset + ROW)
export const recordVehicle = (source: Buffer, offset: number): string => source.toString('latin1', offset + VEHICLE, offset + VEHICLE + ID_BYTES)

/** The row of a spilled record, with its seq. */
export function readRecord(source: Buffer, offset: number): StoredRow {
  return unpackRow(source, offset + ROW, recordVehicle(source, offset))
}

/** Whether two spilled records have the same key. */
export function sameRecordKey(a: Buffer, aOffset: number, b: Buffer, bOffset: number): boolean {
  return samePackedKey(a, aOffset + ROW, b, bOffset + ROW)
}

/** Whether a spilled record has `key`. */
export function recordKeyIs(records: Buffer, offset: number, key: string): boolean {
  return packedKeyIs(records, offset + ROW, key)
}

/** Whether the record at `offset` has the key of the packed row at `at` of `packed`, compared byte for byte. */
export function recordHasPackedKey(records: Buffer, offset: number, packed: Buffer, at: number): boolean {
  return samePackedKey(records, offset + ROW, packed, at)
}

/** Whether the ID_BYTES at `at` of `a` and at `bAt` of `b` are the same (two ids, compared without strings). */
export function sameId(a: Buffer, at: number, b: Buffer, bAt: number): boolean {
  for (let i = 0; i < ID_BYTES; i++) if (a[at + i] !== b[bAt + i]) return false
  return true
}

/** Writes the spilled record at `offset` of `source` as a stored one (its packed row) at `at` of `target`; returns its size. */
export function writeStoredRecord(source: Buffer, offset: number, target: Buffer, at: number): number {
  const size = packedRowSizeAt(source, offset + ROW)
  // A byte loop: for 48-88 bytes it beats Buffer.copy's call overhead.
  for (let i = 0; i < size; i++) target[at + i] = source[offset + ROW + i] as number
  return size
}
