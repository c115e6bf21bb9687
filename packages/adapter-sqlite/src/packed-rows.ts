import type { DeploymentRow, OperationRow, PickupRow, RideRow, RowKind } from '@vehicle-perf/core'

// Rows as fixed-size binary records: how a run spills them to temp files and
// how a vehicle's rows are stored (one blob per vehicle per run). Storage
// only: no rule lives here. Ids are exactly 20 ASCII characters and QR codes
// 6 (core validates both), so every kind has one record size. Numbers are
// float64: timestamps, coordinates and cents come back bit for bit.
//
//   0 kind u8 | 1 flags u8 | 4 file u32 | 8 line u32 | 12 key hash (lo u32, hi u32)
//   20 seq f64 | 28 key 20 B | 48 vehicle id 20 B | 68 time f64 | 76 time f64
//   deployment: 84 bytes; pickup: 84 qr 6 B, 90 bytes;
//   ride: 84 start lat, lng, 100 end lat, lng, 116 amount f64, 124 bytes.
//   A touch mark (a stored vehicle to re-render) is the first 68 bytes, kind 3.
//
// Stored in a vehicle's blob, a record drops what the blob already says or
// only a run needs (file, line, key hash, vehicle id: 36 bytes, a third of
// the store's row bytes):
//
//   0 kind u8 | 1 flags u8 | 4 seq f64 | 12 key 20 B | 32 time f64 | 40 time f64
//   deployment: 48 bytes; pickup: 48 qr 6 B, 54 bytes;
//   ride: 48 start lat, lng, 64 end lat, lng, 80 amount f64, 88 bytes.

export const KIND_CODES: Record<RowKind, number> = { deployment: 0, pickup: 1, ride: 2 }
export const CODE_KINDS: readonly RowKind[] = ['deployment', 'pickup', 'ride']
export const TOUCH_MARK = 3
export const RECORD_SIZES: readonly number[] = [84, 90, 124, 68]

export const KEY_HASH_LO = 12
export const KEY_HASH_HI = 16
const SEQ = 20
/** Where a spilled record's key starts (20 bytes). */
export const KEY = 28
export const VEHICLE = 48
const T1 = 68
const T2 = 76
const QR = 84
const START_LAT = 84
const START_LNG = 92
const END_LAT = 100
const END_LNG = 108
const AMOUNT = 116

/** Where a layout puts its fields; the kind-specific ones follow `extra` in the order above. */
interface RecordLayout {
  seq: number
  key: number
  t1: number
  extra: number
}
const SPILLED: RecordLayout = { seq: SEQ, key: KEY, t1: T1, extra: QR }
export const STORED_SIZES: readonly number[] = [48, 54, 88]
const STORED: RecordLayout = { seq: 4, key: 12, t1: 32, extra: 48 }
const STORED_DROP = RECORD_SIZES[0]! - STORED_SIZES[0]!

const HAS_START = 1
const HAS_END = 2
const HAS_AMOUNT = 4

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

export function rowKeyOf(row: OperationRow): string {
  return row.kind === 'ride' ? row.rideId : row.taskId
}

/** Writes an ASCII id's characters as bytes (a loop: cheaper than Buffer.write's native call for 6-20 bytes). */
function writeAscii(target: Buffer, at: number, text: string, length: number): void {
  for (let i = 0; i < length; i++) target[at + i] = text.charCodeAt(i)
}

/**
 * Writes `row` at `offset` of `target` (which has RECORD_SIZES[kind] bytes
 * free there), its key hashed with the store's `keySeed`. `hashLo` is the
 * key's keyHashLo when the caller has it already (it picked the partition
 * with it).
 */
export function writeRecord(target: Buffer, offset: number, row: OperationRow, seq: number, file: number, line: number, keySeed: number, hashLo?: number): void {
  const code = KIND_CODES[row.kind]
  const key = rowKeyOf(row)
  target[offset] = code
  target[offset + 2] = 0
  target[offset + 3] = 0
  target.writeUInt32LE(file, offset + 4)
  target.writeUInt32LE(line, offset + 8)
  target.writeUInt32LE(hashLo ?? keyHashLo(code, key, keySeed), offset + KEY_HASH_LO)
  target.writeUInt32LE(keyHashHi(code, key, keySeed), offset + KEY_HASH_HI)
  target.writeDoubleLE(seq, offset + SEQ)
  writeAscii(target, offset + KEY, key, 20)
  writeAscii(target, offset + VEHICLE, row.vehicleId, 20)
  let flags = 0
  if (row.kind === 'ride') {
    target.writeDoubleLE(row.startedAt, offset + T1)
    target.writeDoubleLE(row.endedAt, offset + T2)
    // Absent values are written as 0, so equal rows give equal bytes.
    if (row.start !== null) flags |= HAS_START
    target.writeDoubleLE(row.start?.lat ?? 0, offset + START_LAT)
    target.writeDoubleLE(row.start?.lng ?? 0, offset + START_LNG)
    if (row.end !== null) flags |= HAS_END
    target.writeDoubleLE(row.end?.lat ?? 0, offset + END_LAT)
    target.writeDoubleLE(row.end?.lng ?? 0, offset + END_LNG)
    if (row.amountCents !== null) flags |= HAS_AMOUNT
    target.writeDoubleLE(row.amountCents ?? 0, offset + AMOUNT)
  } else {
    target.writeDoubleLE(row.createdAt, offset + T1)
    target.writeDoubleLE(row.resolvedAt, offset + T2)
    if (row.kind === 'pickup') writeAscii(target, offset + QR, row.qrCode, 6)
  }
  target[offset + 1] = flags
}

/** A touch mark: "re-render this stored vehicle" (a policy change re-renders all of them). */
export function writeTouchMark(target: Buffer, offset: number, vehicleId: string): void {
  target.fill(0, offset, offset + RECORD_SIZES[TOUCH_MARK]!)
  target[offset] = TOUCH_MARK
  target.write(vehicleId, offset + VEHICLE, 20, 'latin1')
}

export function recordSize(source: Buffer, offset: number): number {
  const size = RECORD_SIZES[source[offset] as number]
  if (size === undefined) throw new Error(`corrupt row record (kind ${source[offset]}) at byte ${offset}`)
  return size
}

export const recordKindCode = (source: Buffer, offset: number): number => source[offset] as number
export const recordFile = (source: Buffer, offset: number): number => source.readUInt32LE(offset + 4)
export const recordLine = (source: Buffer, offset: number): number => source.readUInt32LE(offset + 8)
export const recordSeq = (source: Buffer, offset: number): number => source.readDoubleLE(offset + SEQ)
export const recordKey = (source: Buffer, offset: number): string => source.toString('latin1', offset + KEY, offset + KEY + 20)
export const recordVehicle = (source: Buffer, offset: number): string => source.toString('latin1', offset + VEHICLE, offset + VEHICLE + 20)

/**
 * The row of a spilled record; pickups keep their seq (the QR-claim
 * tie-break needs it). A caller that knows the vehicle passes its id, saving
 * a string per row.
 */
export function readRecord(source: Buffer, offset: number, knownVehicleId?: string): OperationRow {
  return decode(source, offset, SPILLED, knownVehicleId ?? recordVehicle(source, offset))
}

/** The row of a stored record (in a blob of `vehicleId`'s rows); pickups keep their seq. */
export function readStoredRecord(source: Buffer, offset: number, vehicleId: string): OperationRow {
  return decode(source, offset, STORED, vehicleId)
}

export function storedRecordSize(source: Buffer, offset: number): number {
  const size = STORED_SIZES[source[offset] as number]
  if (size === undefined) throw new Error(`corrupt stored row record (kind ${source[offset]}) at byte ${offset}`)
  return size
}

export const storedRecordKey = (source: Buffer, offset: number): string => source.toString('latin1', offset + STORED.key, offset + STORED.key + 20)

/** Writes the spilled record at `offset` of `source` as a stored one at `at` of `target`; returns its size. */
export function writeStoredRecord(source: Buffer, offset: number, target: Buffer, at: number): number {
  const size = recordSize(source, offset)
  target[at] = source[offset] as number
  target[at + 1] = source[offset + 1] as number
  target[at + 2] = 0
  target[at + 3] = 0
  // Byte loops: for 28 and 16-56 bytes they beat Buffer.copy's call overhead.
  for (let i = 0; i < VEHICLE - SEQ; i++) target[at + STORED.seq + i] = source[offset + SEQ + i] as number
  const tail = size - T1
  for (let i = 0; i < tail; i++) target[at + STORED.t1 + i] = source[offset + T1 + i] as number
  return size - STORED_DROP
}

function decode(source: Buffer, offset: number, layout: RecordLayout, vehicleId: string): OperationRow {
  const code = source[offset]
  const key = source.toString('latin1', offset + layout.key, offset + layout.key + 20)
  const t1 = source.readDoubleLE(offset + layout.t1)
  const t2 = source.readDoubleLE(offset + layout.t1 + 8)
  const extra = offset + layout.extra
  if (code === 2) {
    const flags = source[offset + 1] as number
    const ride: RideRow = {
      kind: 'ride',
      rideId: key,
      vehicleId,
      startedAt: t1,
      endedAt: t2,
      start: flags & HAS_START ? { lat: source.readDoubleLE(extra), lng: source.readDoubleLE(extra + 8) } : null,
      end: flags & HAS_END ? { lat: source.readDoubleLE(extra + 16), lng: source.readDoubleLE(extra + 24) } : null,
      amountCents: flags & HAS_AMOUNT ? source.readDoubleLE(extra + 32) : null,
    }
    return ride
  }
  if (code === 1) {
    const pickup: PickupRow & { seq: number } = {
      kind: 'pickup',
      taskId: key,
      vehicleId,
      qrCode: source.toString('latin1', extra, extra + 6),
      createdAt: t1,
      resolvedAt: t2,
      seq: source.readDoubleLE(offset + layout.seq),
    }
    return pickup
  }
  if (code === 0) {
    const deployment: DeploymentRow = { kind: 'deployment', taskId: key, vehicleId, createdAt: t1, resolvedAt: t2 }
    return deployment
  }
  throw new Error(`corrupt row record (kind ${code}) at byte ${offset}`)
}

/** A row as a duplicate's two versions are compared: without the pickup's seq. */
export function readPlainRow(source: Buffer, offset: number): OperationRow {
  return withoutSeq(readRecord(source, offset))
}

export function withoutSeq(row: OperationRow): OperationRow {
  if (row.kind === 'pickup') {
    const { seq: _seq, ...pickup } = row as PickupRow & { seq: number }
    return pickup
  }
  return row
}
