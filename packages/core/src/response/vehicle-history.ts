import { centsToAmount } from '../values/decimal.js'
import { formatTimestamp } from '../values/timestamp.js'
import type { RideRow } from '../rows/row-types.js'
import { buildCycles } from './cycle-builder.js'
import { totalRides } from './cycle-figures.js'
import { qrCodesOf } from './qr-codes.js'
import type { CycleSummary, RideItem } from './response-schema.js'
import type { VehicleEvents } from './vehicle-events.js'
import { cycleSummary, openFiguresAt, rideItem } from './vehicle-response.js'

/** One deployment cycle with every ride in it, in time order. */
export interface HistoryCycle extends CycleSummary {
  rides: RideItem[]
}

/**
 * A vehicle's whole life, for the report page: every cycle (oldest first)
 * with its rides, the rides outside any cycle, and the lifetime figures.
 * The same rules as the v1 response (cycles, figures, the open cycle at
 * `as_of`), so the two never disagree; the v1 response is its latest part.
 */
export interface VehicleHistoryReport {
  vehicle_id: string
  qr_code: string | null
  as_of: string | null
  cycles: HistoryCycle[]
  orphan_rides: RideItem[]
  lifetime: { cycles: number; rides: number; orphan_rides: number; revenue: number; distance_m: number }
}

const byStart = (a: RideRow, b: RideRow): number => a.startedAt - b.startedAt || (a.rideId < b.rideId ? -1 : a.rideId > b.rideId ? 1 : 0)

/** The whole history of a vehicle from its raw rows: pure, no store needed. */
export function buildVehicleHistory(events: VehicleEvents, options: { asOf: number | null }): VehicleHistoryReport {
  const { cycles, orphanRides } = buildCycles(events.deployments, events.pickups, events.rides)
  const openFigures = openFiguresAt(options.asOf)
  const lifetime = totalRides(orphanRides)
  const historyCycles = cycles.map((cycle) => {
    const totals = totalRides(cycle.rides)
    lifetime.rideCount += totals.rideCount
    lifetime.revenueCents += totals.revenueCents
    lifetime.distanceM += totals.distanceM
    return { ...cycleSummary(cycle, totals, openFigures), rides: [...cycle.rides].sort(byStart).map(rideItem) }
  })
  return {
    vehicle_id: events.vehicleId,
    qr_code: qrCodesOf(events.pickups).qrCode,
    as_of: options.asOf === null ? null : formatTimestamp(options.asOf),
    cycles: historyCycles,
    orphan_rides: [...orphanRides].sort(byStart).map(rideItem),
    lifetime: {
      cycles: cycles.length,
      rides: lifetime.rideCount,
      orphan_rides: orphanRides.length,
      revenue: centsToAmount(lifetime.revenueCents),
      distance_m: lifetime.distanceM,
    },
  }
}
