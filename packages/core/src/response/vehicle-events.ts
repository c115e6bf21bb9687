import { latestTimestamp, type DeploymentRow, type PickupRow, type RideRow } from '../rows/row-types.js'

/** A pickup as a store returns it: `seq` is its global ingest order (later ingests are larger). */
export type SequencedPickup = PickupRow & { seq?: number }

/**
 * Everything known about one vehicle. Each array is in ingest order, which
 * breaks the ties SPEC 10 leaves to it.
 */
export interface VehicleEvents {
  vehicleId: string
  deployments: readonly DeploymentRow[]
  pickups: readonly SequencedPickup[]
  rides: readonly RideRow[]
}

/**
 * Groups accepted rows (in ingest order) by vehicle, for pipelines that hold
 * a batch in memory. A vehicle is known once any row names it.
 */
export function groupRowsByVehicle(rows: Iterable<import('../rows/row-types.js').OperationRow>): Map<string, VehicleEvents> {
  const byVehicle = new Map<string, { vehicleId: string; deployments: DeploymentRow[]; pickups: PickupRow[]; rides: RideRow[] }>()
  for (const row of rows) {
    let events = byVehicle.get(row.vehicleId)
    if (events === undefined) {
      events = { vehicleId: row.vehicleId, deployments: [], pickups: [], rides: [] }
      byVehicle.set(row.vehicleId, events)
    }
    if (row.kind === 'deployment') events.deployments.push(row)
    else if (row.kind === 'pickup') events.pickups.push(row)
    else events.rides.push(row)
  }
  return byVehicle
}

/** The later of `asOf` and every timestamp of `rows`. */
function laterOf(asOf: number | null, rows: Iterable<import('../rows/row-types.js').OperationRow>): number | null {
  let latest = asOf
  for (const row of rows) {
    const at = latestTimestamp(row)
    if (latest === null || at > latest) latest = at
  }
  return latest
}

/** SPEC 10: `as_of` is the latest of every timestamp column over accepted rows; null without rows. */
export function computeAsOf(rows: Iterable<import('../rows/row-types.js').OperationRow>): number | null {
  return laterOf(null, rows)
}

/** The later of `asOf` and every timestamp of one vehicle's events (SPEC 10's as_of, folded vehicle by vehicle). */
export function latestOfEvents(events: VehicleEvents, asOf: number | null): number | null {
  return laterOf(laterOf(laterOf(asOf, events.deployments), events.pickups), events.rides)
}
