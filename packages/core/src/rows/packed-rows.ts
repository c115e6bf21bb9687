import { seededHashOfBytes } from '../seeded-hash.js'
import { ROW_KINDS, type RowKind } from './kinds.js'
import type { DeploymentRow, OperationRow, PickupRow, RideRow, StoredRow } from './row-types.js'

// A row as a fixed-size binary record. Core uses it to hand rows to the
// thread that renders views (structured cloning costs ~2.8 us a ride, more
// than rendering it); a store that declares the `packedRows` capability keeps
// its rows in this form and hands them over as they are, with no decoding.
// Ids are exactly 20 ASCII characters and QR codes 6 (validated on the way
// in), so each kind has one size. Numbers are float64: timestamps,
// coordinates and cents come back bit for bit.
//
// The layout is core's own: stores read and write records only through the
// functions below (exported as `@vehicle-perf/core/packed-rows`), never by
// offset. A layout change changes PACKED_ROWS_FORMAT, which a store that
// persists records keeps beside them.
//
//   0 kind u8 | 1 flags u8 | 4 seq f64 | 12 key 20 B | 32 time f64 | 40 time f64
//   deployment: 48 bytes; pickup: 48 qr 6 B, 54 bytes;
//   ride: 48 start lat, lng, 64 end lat, lng, 80 amount f64, 88 bytes.
//
// The vehicle id is not in the record: the buffer's owner knows it.

/** The version of the record layout; it changes whenever the layout does. */
export const PACKED_ROWS_FORMAT = 1

/** A kind's code (a record's first byte) is its index in ROW_KINDS. */
export const PACKED_ROW_KIND_CODES: Readonly<Record<RowKind, number>> = { deployment: 0, pickup: 1, ride: 2 }

const SIZES: readonly number[] = [48, 54, 88]
const SEQ = 4
const KEY = 12
const T1 = 32
const T2 = 40
const QR = 48
const START_LAT = 48
const START_LNG = 56
const END_LAT = 64
const END_LNG = 72
const AMOUNT = 80
const ID_LENGTH = 20
const QR_LENGTH = 6

const HAS_START = 1
const HAS_END = 2
const HAS_AMOUNT = 4

/** The size of every record of a kind. */
export function packedRowSize(kind: RowKind): number {
  return SIZES[PACKED_ROW_KIND_CODES[kind]] as number
}

/** The size of the record at `at`; throws on a byte that is no kind (a corrupt store). */
export function packedRowSizeAt(source: Uint8Array, at: number): number {
  const size = SIZES[source[at] as number]
  if (size === undefined) throw new Error(`corrupt packed row (kind ${source[at]}) at byte ${at}`)
  return size
}

/** The kind code of the record at `at` (PACKED_ROW_KIND_CODES). */
export function packedRowKindCode(source: Uint8Array, at: number): number {
  return source[at] as number
}

/** Writes an ASCII id's characters as bytes (a loop: cheaper than Buffer.write's native call for 6-20 bytes). */
function writeAscii(target: Buffer, at: number, text: string, length: number): void {
  for (let i = 0; i < length; i++) target[at + i] = text.charCodeAt(i)
}

/** Writes `row` with its `seq` as a record at `at` of `target`, which has packedRowSize(row.kind) bytes free there. */
export function packRow(target: Buffer, at: number, row: OperationRow, seq: number): void {
  target[at] = PACKED_ROW_KIND_CODES[row.kind]
  target[at + 2] = 0
  target[at + 3] = 0
  target.writeDoubleLE(seq, at + SEQ)
  let flags = 0
  if (row.kind === 'ride') {
    writeAscii(target, at + KEY, row.rideId, ID_LENGTH)
    target.writeDoubleLE(row.startedAt, at + T1)
    target.writeDoubleLE(row.endedAt, at + T2)
    // Absent values are written as 0, so equal rows give equal bytes.
    if (row.start !== null) flags |= HAS_START
    target.writeDoubleLE(row.start?.lat ?? 0, at + START_LAT)
    target.writeDoubleLE(row.start?.lng ?? 0, at + START_LNG)
    if (row.end !== null) flags |= HAS_END
    target.writeDoubleLE(row.end?.lat ?? 0, at + END_LAT)
    target.writeDoubleLE(row.end?.lng ?? 0, at + END_LNG)
    if (row.amountCents !== null) flags |= HAS_AMOUNT
    target.writeDoubleLE(row.amountCents ?? 0, at + AMOUNT)
  } else {
    writeAscii(target, at + KEY, row.taskId, ID_LENGTH)
    target.writeDoubleLE(row.createdAt, at + T1)
    target.writeDoubleLE(row.resolvedAt, at + T2)
    if (row.kind === 'pickup') writeAscii(target, at + QR, row.qrCode, QR_LENGTH)
  }
  target[at + 1] = flags
}

/** The key (task_id or ride_id) of the record at `at`. */
export function packedRowKey(source: Buffer, at: number): string {
  return source.toString('latin1', at + KEY, at + KEY + ID_LENGTH)
}

/** core's seeded hash of the key bytes of the record at `at` (equal to seededHash of packedRowKey's text). */
export function packedKeyHash(source: Buffer, at: number, seed: number): number {
  return seededHashOfBytes(source, at + KEY, at + KEY + ID_LENGTH, seed)
}

/** The seq of the record at `at`. */
export function packedRowSeq(source: Buffer, at: number): number {
  return source.readDoubleLE(at + SEQ)
}

/** Whether the records at `aAt` of `a` and `bAt` of `b` have the same key, compared byte for byte. */
export function samePackedKey(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): boolean {
  for (let i = KEY; i < KEY + ID_LENGTH; i++) if (a[aAt + i] !== b[bAt + i]) return false
  return true
}

/** Whether the record at `at` has `key`, without making a string of its key. */
export function packedKeyIs(source: Uint8Array, at: number, key: string): boolean {
  if (key.length !== ID_LENGTH) return false
  for (let i = 0; i < ID_LENGTH; i++) if (source[at + KEY + i] !== key.charCodeAt(i)) return false
  return true
}

/** The row of the record at `at`, of vehicle `vehicleId`, with its seq. */
export function unpackRow(source: Buffer, at: number, vehicleId: string): StoredRow {
  const code = source[at]
  const key = packedRowKey(source, at)
  const seq = source.readDoubleLE(at + SEQ)
  const t1 = source.readDoubleLE(at + T1)
  const t2 = source.readDoubleLE(at + T2)
  if (code === 2) {
    const flags = source[at + 1] as number
    const ride: RideRow & { seq: number } = {
      kind: 'ride',
      rideId: key,
      vehicleId,
      startedAt: t1,
      endedAt: t2,
      start: flags & HAS_START ? { lat: source.readDoubleLE(at + START_LAT), lng: source.readDoubleLE(at + START_LNG) } : null,
      end: flags & HAS_END ? { lat: source.readDoubleLE(at + END_LAT), lng: source.readDoubleLE(at + END_LNG) } : null,
      amountCents: flags & HAS_AMOUNT ? source.readDoubleLE(at + AMOUNT) : null,
      seq,
    }
    return ride
  }
  if (code === 1) {
    const pickup: PickupRow & { seq: number } = {
      kind: 'pickup',
      taskId: key,
      vehicleId,
      qrCode: source.toString('latin1', at + QR, at + QR + QR_LENGTH),
      createdAt: t1,
      resolvedAt: t2,
      seq,
    }
    return pickup
  }
  if (code === 0) {
    const deployment: DeploymentRow & { seq: number } = { kind: 'deployment', taskId: key, vehicleId, createdAt: t1, resolvedAt: t2, seq }
    return deployment
  }
  throw new Error(`corrupt packed row (kind ${code}) at byte ${at}`)
}

/** The rows of packed records [start, end) of `source`, all of vehicle `vehicleId` (a stored blob), appended to `into`. */
export function unpackRecords(source: Buffer, vehicleId: string, into: StoredRow[] = [], start = 0, end = source.length): StoredRow[] {
  for (let at = start; at < end; at += packedRowSizeAt(source, at)) into.push(unpackRow(source, at, vehicleId))
  return into
}

/**
 * Why a store whose records have layout `format` cannot be read by this
 * core, or null when it can: a store keeps PACKED_ROWS_FORMAT beside its
 * records and refuses another rather than misread it.
 */
export function packedRowsFormatProblem(format: number): string | null {
  return format === PACKED_ROWS_FORMAT ? null : `keeps rows in packed format ${format}, this @vehicle-perf/core writes format ${PACKED_ROWS_FORMAT}: use the versions that made it`
}

/** The kind a code stands for. */
export function kindOfCode(code: number): RowKind {
  const kind = ROW_KINDS[code]
  if (kind === undefined) throw new Error(`no row kind has code ${code}`)
  return kind
}

/**
 * Touched vehicles with their rows as packed records, as a store with the
 * `packedRows` capability hands them to a refresh (and as core sends them to
 * its render thread). Vehicle i's records are at [ends[i - 1] ?? 0, ends[i])
 * of `records`, in any order (core orders them by seq). The buffer becomes
 * core's: it may be transferred to another thread.
 */
export interface PackedVehicles {
  vehicleIds: string[]
  ends: number[]
  records: Buffer
}
