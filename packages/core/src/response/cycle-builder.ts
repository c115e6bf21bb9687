import type { DeploymentRow, PickupRow, RideRow } from '../rows/row-types.js'

export type CycleEndReason = 'pickup' | 'redeployed'

/** A deployment cycle (domain.md §6) with the rides that started inside it. */
export interface DeploymentCycle {
  deployment: DeploymentRow
  startedAt: number
  endedAt: number | null
  endReason: CycleEndReason | null
  pickupId: string | null
  rides: RideRow[]
}

export interface CycleAssignment {
  /** In deployment order: resolved time, then created time, then ingest order. */
  cycles: DeploymentCycle[]
  /** Rides in no cycle: counted in lifetime figures, never in a cycle. */
  orphanRides: RideRow[]
}

function byInputOrder<T>(rows: readonly T[], compare: (a: T, b: T) => number): T[] {
  // Array.prototype.sort is stable, so equal keys keep ingest (input) order.
  return [...rows].sort(compare)
}

/**
 * Builds one vehicle's cycles and assigns its rides. Input arrays are in
 * ingest order (that breaks every remaining tie).
 */
export function buildCycles(
  deployments: readonly DeploymentRow[],
  pickups: readonly PickupRow[],
  rides: readonly RideRow[],
): CycleAssignment {
  const orderedDeployments = byInputOrder(deployments, (a, b) => a.resolvedAt - b.resolvedAt || a.createdAt - b.createdAt)
  const orderedPickups = byInputOrder(pickups, (a, b) => a.createdAt - b.createdAt)

  const cycles: DeploymentCycle[] = []
  let pickupIndex = 0
  for (let i = 0; i < orderedDeployments.length; i++) {
    const deployment = orderedDeployments[i] as DeploymentRow
    const startedAt = deployment.resolvedAt
    // The first pickup created strictly after the start.
    while (pickupIndex < orderedPickups.length && (orderedPickups[pickupIndex] as PickupRow).createdAt <= startedAt) pickupIndex++
    const pickup = orderedPickups[pickupIndex]
    const next = orderedDeployments[i + 1]
    let endedAt: number | null = null
    let endReason: CycleEndReason | null = null
    let pickupId: string | null = null
    // A pickup created exactly at the next deployment's start still ends the cycle as `pickup`.
    if (pickup !== undefined && (next === undefined || pickup.createdAt <= next.resolvedAt)) {
      endedAt = pickup.createdAt
      endReason = 'pickup'
      pickupId = pickup.taskId
    } else if (next !== undefined) {
      endedAt = next.resolvedAt
      endReason = 'redeployed'
    }
    cycles.push({ deployment, startedAt, endedAt, endReason, pickupId, rides: [] })
  }

  const orphanRides: RideRow[] = []
  for (const ride of rides) {
    const cycle = cycleContaining(cycles, ride.startedAt)
    if (cycle === null) orphanRides.push(ride)
    else cycle.rides.push(ride)
  }
  return { cycles, orphanRides }
}

/**
 * The cycle with started_at <= t < ended_at (open cycles have no upper
 * bound). Cycles never overlap: each ends no later than the next one starts.
 */
function cycleContaining(cycles: readonly DeploymentCycle[], t: number): DeploymentCycle | null {
  // Binary search for the last cycle that started at or before t.
  let low = 0
  let high = cycles.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >> 1
    if ((cycles[mid] as DeploymentCycle).startedAt <= t) {
      found = mid
      low = mid + 1
    } else high = mid - 1
  }
  if (found === -1) return null
  const cycle = cycles[found] as DeploymentCycle
  return cycle.endedAt === null || t < cycle.endedAt ? cycle : null
}
