import type { VehicleEvents } from '../response/vehicle-events.js'
import type { RowKind } from './kinds.js'
import type { DeploymentRow, OperationRow, PickupRow, RideRow } from './row-types.js'

// A row as a fixed-size binary record: how a store keeps a vehicle's rows
// (one buffer per vehicle and run) and hands them back for a refresh, and how
// they cross to the thread that renders views without structured cloning
// (~2.8 us a ride, more than rendering it). Ids are exactly 20 ASCII
// characters and QR codes 6 (validated on the way in), so each kind has one
// size. Numbers are float64: timestamps, coordinates and cents come back bit
// for bit.
//
//   0 kind u8 | 1 flags u8 | 4 seq f64 | 12 key 20 B | 32 time f64 | 40 time f64
//   deployment: 48 bytes; pickup: 48 qr 6 B, 54 bytes;
//   ride: 48 start lat, lng, 64 end lat, lng, 80 amount f64, 88 bytes.
//
// `seq` is the row's global ingest order (stores give it); the vehicle id is
// not in the record: the buffer's owner knows it.

export const ROW_KIND_CODES: Readonly<Record<RowKind, number>> = { deployment: 0, pickup: 1, ride: 2 }
export const ROW_CODE_KINDS: readonly RowKind[] = ['deployment', 'pickup', 'ride']
export const ROW_RECORD_SIZES: readonly number[] = [48, 54, 88]

/** Where a record's fields start. */
export const ROW_RECORD = { seq: 4, key: 12, t1: 32, t2: 40, qr: 48, startLat: 48, startLng: 56, endLat: 64, endLng: 72, amount: 80 } as const

const HAS_START = 1
const HAS_END = 2
const HAS_AMOUNT = 4

/** The size of the record at `at`; throws on a byte that is no kind (a corrupt store). */
export function rowRecordSize(source: Uint8Array, at: number): number {
  const size = ROW_RECORD_SIZES[source[at] as number]
  if (size === undefined) throw new Error(`corrupt row record (kind ${source[at]}) at byte ${at}`)
  return size
}

/** Writes an ASCII id's characters as bytes (a loop: cheaper than Buffer.write's native call for 6-20 bytes). */
function writeAscii(target: Buffer, at: number, text: string, length: number): void {
  for (let i = 0; i < length; i++) target[at + i] = text.charCodeAt(i)
}

/** Writes `row` as a record at `at` of `target` (which has its size free there). */
export function writeRowRecord(target: Buffer, at: number, row: OperationRow, seq: number): void {
  target[at] = ROW_KIND_CODES[row.kind]
  target[at + 2] = 0
  target[at + 3] = 0
  target.writeDoubleLE(seq, at + ROW_RECORD.seq)
  let flags = 0
  if (row.kind === 'ride') {
    writeAscii(target, at + ROW_RECORD.key, row.rideId, 20)
    target.writeDoubleLE(row.startedAt, at + ROW_RECORD.t1)
    target.writeDoubleLE(row.endedAt, at + ROW_RECORD.t2)
    // Absent values are written as 0, so equal rows give equal bytes.
    if (row.start !== null) flags |= HAS_START
    target.writeDoubleLE(row.start?.lat ?? 0, at + ROW_RECORD.startLat)
    target.writeDoubleLE(row.start?.lng ?? 0, at + ROW_RECORD.startLng)
    if (row.end !== null) flags |= HAS_END
    target.writeDoubleLE(row.end?.lat ?? 0, at + ROW_RECORD.endLat)
    target.writeDoubleLE(row.end?.lng ?? 0, at + ROW_RECORD.endLng)
    if (row.amountCents !== null) flags |= HAS_AMOUNT
    target.writeDoubleLE(row.amountCents ?? 0, at + ROW_RECORD.amount)
  } else {
    writeAscii(target, at + ROW_RECORD.key, row.taskId, 20)
    target.writeDoubleLE(row.createdAt, at + ROW_RECORD.t1)
    target.writeDoubleLE(row.resolvedAt, at + ROW_RECORD.t2)
    if (row.kind === 'pickup') writeAscii(target, at + ROW_RECORD.qr, row.qrCode, 6)
  }
  target[at + 1] = flags
}

/** The key of the record at `at` (task_id or ride_id). */
export function rowRecordKey(source: Buffer, at: number): string {
  return source.toString('latin1', at + ROW_RECORD.key, at + ROW_RECORD.key + 20)
}

/** The row of the record at `at`, of vehicle `vehicleId`; a pickup keeps its seq (the QR-claim tie-break needs it). */
export function readRowRecord(source: Buffer, at: number, vehicleId: string): OperationRow {
  const code = source[at]
  const key = rowRecordKey(source, at)
  const t1 = source.readDoubleLE(at + ROW_RECORD.t1)
  const t2 = source.readDoubleLE(at + ROW_RECORD.t2)
  if (code === 2) {
    const flags = source[at + 1] as number
    const ride: RideRow = {
      kind: 'ride',
      rideId: key,
      vehicleId,
      startedAt: t1,
      endedAt: t2,
      start: flags & HAS_START ? { lat: source.readDoubleLE(at + ROW_RECORD.startLat), lng: source.readDoubleLE(at + ROW_RECORD.startLng) } : null,
      end: flags & HAS_END ? { lat: source.readDoubleLE(at + ROW_RECORD.endLat), lng: source.readDoubleLE(at + ROW_RECORD.endLng) } : null,
      amountCents: flags & HAS_AMOUNT ? source.readDoubleLE(at + ROW_RECORD.amount) : null,
    }
    return ride
  }
  if (code === 1) {
    const pickup: PickupRow & { seq: number } = {
      kind: 'pickup',
      taskId: key,
      vehicleId,
      qrCode: source.toString('latin1', at + ROW_RECORD.qr, at + ROW_RECORD.qr + 6),
      createdAt: t1,
      resolvedAt: t2,
      seq: source.readDoubleLE(at + ROW_RECORD.seq),
    }
    return pickup
  }
  if (code === 0) {
    const deployment: DeploymentRow = { kind: 'deployment', taskId: key, vehicleId, createdAt: t1, resolvedAt: t2 }
    return deployment
  }
  throw new Error(`corrupt row record (kind ${code}) at byte ${at}`)
}

/** A row without the pickup's seq: how two versions of a key are compared. */
export function withoutSeq(row: OperationRow): OperationRow {
  if (row.kind === 'pickup' && 'seq' in row) {
    const { seq: _seq, ...pickup } = row as PickupRow & { seq: number }
    return pickup
  }
  return row
}

/** One vehicle's events from its records at [start, end) of `source`, in the order they are there (ingest order). */
export function vehicleEventsOf(vehicleId: string, source: Buffer, start: number, end: number): VehicleEvents {
  const deployments: DeploymentRow[] = []
  const pickups: PickupRow[] = []
  const rides: RideRow[] = []
  for (let at = start; at < end; at += rowRecordSize(source, at)) {
    const row = readRowRecord(source, at, vehicleId)
    if (row.kind === 'ride') rides.push(row)
    else if (row.kind === 'deployment') deployments.push(row)
    else pickups.push(row)
  }
  return { vehicleId, deployments, pickups, rides }
}
