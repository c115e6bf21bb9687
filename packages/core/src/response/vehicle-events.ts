import { latestTimestamp, type DeploymentRow, type OperationRow, type PickupRow, type RideRow, type StoredRow } from '../rows/row-types.js'

/** A pickup as a store returns it: `seq` is its global ingest order (later ingests are larger). */
export type SequencedPickup = PickupRow & { seq?: number }

/**
 * Everything known about one vehicle. Each array is in ingest order, which
 * breaks the ties domain.md §5-6 leave to it.
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
export function groupRowsByVehicle(rows: Iterable<OperationRow>): Map<string, VehicleEvents> {
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
function laterOf(asOf: number | null, rows: Iterable<OperationRow>): number | null {
  let latest = asOf
  for (const row of rows) {
    const at = latestTimestamp(row)
    if (latest === null || at > latest) latest = at
  }
  return latest
}

/** domain.md §7: `as_of` is the latest of every timestamp column over accepted rows; null without rows. */
export function computeAsOf(rows: Iterable<OperationRow>): number | null {
  return laterOf(null, rows)
}

/** The later of `asOf` and every timestamp of one vehicle's events (domain.md §7's as_of, folded vehicle by vehicle). */
export function latestOfEvents(events: VehicleEvents, asOf: number | null): number | null {
  return laterOf(laterOf(laterOf(asOf, events.deployments), events.pickups), events.rides)
}

/**
 * One vehicle's rows as a store hands them to a refresh: every stored row
 * of the vehicle and the run's new ones, each with its seq, in any order.
 */
export interface VehicleHistory {
  vehicleId: string
  rows: readonly StoredRow[]
}

function bySeq(a: StoredRow, b: StoredRow): number {
  return a.seq - b.seq
}

/** A history's rows as events, in ingest (seq) order whatever order the store gave them in. */
export function eventsOfHistory(history: VehicleHistory): VehicleEvents {
  let rows = history.rows
  for (let i = 1; i < rows.length; i++) {
    if ((rows[i] as StoredRow).seq < (rows[i - 1] as StoredRow).seq) {
      rows = [...rows].sort(bySeq)
      break
    }
  }
  const deployments: DeploymentRow[] = []
  const pickups: SequencedPickup[] = []
  const rides: RideRow[] = []
  for (const row of rows) {
    if (row.kind === 'ride') rides.push(row)
    else if (row.kind === 'deployment') deployments.push(row)
    else pickups.push(row)
  }
  return { vehicleId: history.vehicleId, deployments, pickups, rides }
}
