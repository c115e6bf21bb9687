import { isValidId, isValidQrCode, normaliseQrCode } from '../values/ids.js'
import { parseTimestamp } from '../values/timestamp.js'
import { parseAmountCents, parseCoordinate } from '../values/decimal.js'
import type { RejectReason } from './reject-reasons.js'
import type { DeploymentRow, GeoPoint, OperationRow, PickupRow, RideRow } from './row-types.js'
import { KIND_COLUMNS, type RowKind } from './kinds.js'

export type NormaliseResult<R extends OperationRow = OperationRow> =
  | { ok: true; row: R }
  | { ok: false; reasons: RejectReason[] }

/**
 * Reads one record's fields in the kind's canonical column order
 * (KIND_COLUMNS) and either returns the typed row or every reason that applies.
 * Nothing is trimmed (domain.md §1).
 */
export type FieldNormaliser = (fields: readonly string[]) => NormaliseResult

/** Collects reasons; allocates only when a row is bad (most rows are not). */
class ReasonSet {
  reasons: RejectReason[] = NO_REASONS
  add(reason: RejectReason): void {
    if (this.reasons === NO_REASONS) this.reasons = [reason]
    else if (!this.reasons.includes(reason)) this.reasons.push(reason)
  }
}
const NO_REASONS: RejectReason[] = []

function readId(value: string, reasons: ReasonSet): string {
  if (value === '') reasons.add('missing_field')
  else if (!isValidId(value)) reasons.add('bad_id')
  return value
}

function readTimestamp(value: string, reasons: ReasonSet): number | null {
  if (value === '') {
    reasons.add('missing_field')
    return null
  }
  const ms = parseTimestamp(value)
  if (ms === null) reasons.add('bad_timestamp')
  return ms
}

function readCoordinate(value: string, limit: 90 | 180, reasons: ReasonSet): number {
  if (value === '') {
    reasons.add('missing_field')
    return 0
  }
  const degrees = parseCoordinate(value, limit)
  if (degrees === null) {
    reasons.add('bad_coordinate')
    return 0
  }
  return degrees
}

function readPoint(latText: string, lngText: string, reasons: ReasonSet): GeoPoint | null {
  const lat = readCoordinate(latText, 90, reasons)
  const lng = readCoordinate(lngText, 180, reasons)
  return lat === 0 || lng === 0 ? null : { lat, lng }
}

/** A task's created and resolved times; resolving before creation is a reason of its own. */
function readTaskTimes(createdText: string, resolvedText: string, reasons: ReasonSet): { createdAt: number; resolvedAt: number } | null {
  const createdAt = readTimestamp(createdText, reasons)
  const resolvedAt = readTimestamp(resolvedText, reasons)
  if (createdAt === null || resolvedAt === null) return null
  if (resolvedAt < createdAt) reasons.add('resolved_before_created')
  return { createdAt, resolvedAt }
}

export function normaliseDeployment(fields: readonly string[]): NormaliseResult<DeploymentRow> {
  const reasons = new ReasonSet()
  const taskId = readId(fields[0] ?? '', reasons)
  const vehicleId = readId(fields[1] ?? '', reasons)
  const times = readTaskTimes(fields[2] ?? '', fields[3] ?? '', reasons)
  if (reasons.reasons.length > 0 || times === null) return { ok: false, reasons: reasons.reasons }
  return { ok: true, row: { kind: 'deployment', taskId, vehicleId, ...times } }
}

export function normalisePickup(fields: readonly string[]): NormaliseResult<PickupRow> {
  const reasons = new ReasonSet()
  const taskId = readId(fields[0] ?? '', reasons)
  const vehicleId = readId(fields[1] ?? '', reasons)
  const qrText = fields[2] ?? ''
  if (qrText === '') reasons.add('missing_field')
  else if (!isValidQrCode(qrText)) reasons.add('bad_qr_code')
  const times = readTaskTimes(fields[3] ?? '', fields[4] ?? '', reasons)
  if (reasons.reasons.length > 0 || times === null) return { ok: false, reasons: reasons.reasons }
  return { ok: true, row: { kind: 'pickup', taskId, vehicleId, qrCode: normaliseQrCode(qrText), ...times } }
}

export function normaliseRide(fields: readonly string[]): NormaliseResult<RideRow> {
  const reasons = new ReasonSet()
  const rideId = readId(fields[0] ?? '', reasons)
  const vehicleId = readId(fields[1] ?? '', reasons)
  const startedAt = readTimestamp(fields[2] ?? '', reasons)
  const endedAt = readTimestamp(fields[3] ?? '', reasons)
  if (startedAt !== null && endedAt !== null && endedAt < startedAt) reasons.add('ride_ends_before_start')
  const start = readPoint(fields[4] ?? '', fields[5] ?? '', reasons)
  const end = readPoint(fields[6] ?? '', fields[7] ?? '', reasons)
  const amountText = fields[8] ?? ''
  let amountCents: number | null = null
  if (amountText !== '') {
    amountCents = parseAmountCents(amountText)
    if (amountCents === null) reasons.add('bad_amount')
  }
  if (reasons.reasons.length > 0 || startedAt === null || endedAt === null) return { ok: false, reasons: reasons.reasons }
  return { ok: true, row: { kind: 'ride', rideId, vehicleId, startedAt, endedAt, start, end, amountCents } }
}

export const NORMALISERS: Record<RowKind, FieldNormaliser> = {
  deployment: normaliseDeployment,
  pickup: normalisePickup,
  ride: normaliseRide,
}

/**
 * Normalises a record given as an object keyed by header name, for callers
 * that already have parsed rows (a data pipeline, a queue consumer).
 */
export function normaliseRecord(kind: RowKind, record: Readonly<Record<string, string | undefined>>): NormaliseResult {
  const fields = KIND_COLUMNS[kind].map((column) => record[column] ?? '')
  return NORMALISERS[kind](fields)
}
