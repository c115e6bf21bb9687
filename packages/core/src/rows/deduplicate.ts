import { rowKey, type GeoPoint, type OperationRow } from './row-types.js'
import type { RowKind } from './kinds.js'

/** SPEC 3: a later row with a taken key is `exact` (same normalised values) or `conflict`. */
export type DuplicateClass = 'exact' | 'conflict'

export function classifyDuplicate(keptRowHash: string, incomingRowHash: string): DuplicateClass {
  return keptRowHash === incomingRowHash ? 'exact' : 'conflict'
}

/** Equal as canonicalRowText writes numbers: -0 is 0, NaN is NaN. */
function sameNumber(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b)
}

function samePoint(a: GeoPoint | null, b: GeoPoint | null): boolean {
  if (a === null || b === null) return a === b
  return sameNumber(a.lat, b.lat) && sameNumber(a.lng, b.lng)
}

/**
 * Whether two rows have the same normalised values: exactly when their
 * canonicalRowText is equal (the `exact` test of SPEC 3), compared field by
 * field instead of building and hashing both texts, which cost ~1 s of a
 * scale-100 ingest's duplicate pass.
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

/** SPEC 3's class of a later row with a taken key. */
export function classifyDuplicateRow(kept: OperationRow, incoming: OperationRow): DuplicateClass {
  return sameNormalisedValues(kept, incoming) ? 'exact' : 'conflict'
}

export type DeduplicationResult =
  | { status: 'new' }
  | { status: DuplicateClass; kept: OperationRow }

/**
 * First accepted row wins, per kind (deployments and pickups have separate
 * key spaces). In memory, for pipelines and tests; ingest keeps the same rule
 * with the store holding the keys.
 */
export class InMemoryDeduplicator {
  private kept: Record<RowKind, Map<string, OperationRow>> = {
    deployment: new Map(),
    pickup: new Map(),
    ride: new Map(),
  }

  check(row: OperationRow): DeduplicationResult {
    const keys = this.kept[row.kind]
    const key = rowKey(row)
    const existing = keys.get(key)
    if (existing === undefined) {
      keys.set(key, row)
      return { status: 'new' }
    }
    return { status: classifyDuplicateRow(existing, row), kept: existing }
  }
}
