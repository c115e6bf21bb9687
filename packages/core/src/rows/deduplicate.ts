import type { GeoPoint, OperationRow } from './row-types.js'

/** domain.md §3: a later row with a taken key is `exact` (same normalised values) or `conflict`. */
export type DuplicateClass = 'exact' | 'conflict'

/** Equal numbers: -0 equals 0 and NaN equals NaN, so the test is the same for rows from any source. */
function sameNumber(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b)
}

function samePoint(a: GeoPoint | null, b: GeoPoint | null): boolean {
  if (a === null || b === null) return a === b
  return sameNumber(a.lat, b.lat) && sameNumber(a.lng, b.lng)
}

/**
 * Whether two rows have the same normalised values (domain.md §3's `exact`): the
 * kind's required columns and gross_amount, as normalisation gives them (qr
 * upper-cased, timestamps in UTC ms, a missing point null, amounts in
 * cents). Any seq a row carries is not a value. This is the only duplicate
 * equality: compared field by field, which is also cheaper than hashing a
 * canonical text of both rows (that cost ~1 s of a scale-100 ingest).
 */
export function sameNormalisedValues(a: OperationRow, b: OperationRow): boolean {
  if (a.kind !== b.kind || a.vehicleId !== b.vehicleId) return false
  switch (a.kind) {
    case 'deployment': {
      const other = b as typeof a
      return a.taskId === other.taskId && sameNumber(a.createdAt, other.createdAt) && sameNumber(a.resolvedAt, other.resolvedAt)
    }
    case 'pickup': {
      const other = b as typeof a
      return a.taskId === other.taskId && a.qrCode === other.qrCode && sameNumber(a.createdAt, other.createdAt) && sameNumber(a.resolvedAt, other.resolvedAt)
    }
    case 'ride': {
      const other = b as typeof a
      return (
        a.rideId === other.rideId &&
        sameNumber(a.startedAt, other.startedAt) &&
        sameNumber(a.endedAt, other.endedAt) &&
        samePoint(a.start, other.start) &&
        samePoint(a.end, other.end) &&
        (a.amountCents === null || other.amountCents === null ? a.amountCents === other.amountCents : sameNumber(a.amountCents, other.amountCents))
      )
    }
  }
}

/** domain.md §3's class of a later row with a taken key. */
export function classifyDuplicateRow(kept: OperationRow, incoming: OperationRow): DuplicateClass {
  return sameNormalisedValues(kept, incoming) ? 'exact' : 'conflict'
}
