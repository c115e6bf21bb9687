import type { GeoPoint, RideRow } from '../rows/row-types.js'

/** SPEC 7: the mean earth radius used for every distance. */
export const EARTH_RADIUS_M = 6_371_008.8

const RADIANS = Math.PI / 180

/** Great-circle distance (haversine, atan2 form) in whole metres, rounded to nearest. */
export function haversineMeters(from: GeoPoint, to: GeoPoint): number {
  const phi1 = from.lat * RADIANS
  const phi2 = to.lat * RADIANS
  const halfDeltaPhi = ((to.lat - from.lat) * RADIANS) / 2
  const halfDeltaLambda = ((to.lng - from.lng) * RADIANS) / 2
  const a = Math.sin(halfDeltaPhi) ** 2 + Math.cos(phi1) * Math.cos(phi2) * Math.sin(halfDeltaLambda) ** 2
  const c = 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a))
  return Math.round(EARTH_RADIUS_M * c)
}

/** Null when either point is missing. */
export function rideDistanceMeters(ride: RideRow): number | null {
  return ride.start === null || ride.end === null ? null : haversineMeters(ride.start, ride.end)
}

/** Whole seconds between two epoch-ms instants, truncated (1.999 s -> 1). */
export function wholeSecondsBetween(fromMs: number, toMs: number): number {
  return Math.trunc((toMs - fromMs) / 1000)
}

export function rideDurationSeconds(ride: RideRow): number {
  return wholeSecondsBetween(ride.startedAt, ride.endedAt)
}
