import { centsToAmount, divideHalfEven } from '../values/decimal.js'
import type { RideRow } from '../rows/row-types.js'
import { rideDistanceMeters, rideDurationSeconds } from './ride-metrics.js'

/** Sums over a set of rides that do not depend on `as_of`. */
export interface RideTotals {
  rideCount: number
  revenueCents: number
  ridesWithoutAmount: number
  distanceM: number
  rideTimeS: number
}

export function totalRides(rides: readonly RideRow[]): RideTotals {
  let revenueCents = 0
  let ridesWithoutAmount = 0
  let distanceM = 0
  let rideTimeS = 0
  for (const ride of rides) {
    if (ride.amountCents === null) ridesWithoutAmount++
    else revenueCents += ride.amountCents
    distanceM += rideDistanceMeters(ride) ?? 0
    // Each ride counts in full, even when it runs past the cycle end.
    rideTimeS += rideDurationSeconds(ride)
  }
  return { rideCount: rides.length, revenueCents, ridesWithoutAmount, distanceM, rideTimeS }
}

export interface StreetFigures {
  street_time_s: number
  utilization: number | null
  revenue_per_street_hour: number | null
}

/**
 * The figures that depend on how long the vehicle was on the street, computed
 * exactly from the reported integers and rounded half-even (domain.md §7).
 */
export function streetFigures(streetTimeS: number, rideTimeS: number, revenueCents: number): StreetFigures {
  if (streetTimeS <= 0) return { street_time_s: 0, utilization: null, revenue_per_street_hour: null }
  return {
    street_time_s: streetTimeS,
    utilization: divideHalfEven(rideTimeS * 10_000, streetTimeS) / 10_000,
    // cents per hour = cents * 3600 / seconds, then back to euros.
    revenue_per_street_hour: centsToAmount(divideHalfEven(revenueCents * 3600, streetTimeS)),
  }
}
