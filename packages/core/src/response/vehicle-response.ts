import { formatTimestamp } from '../values/timestamp.js'
import { centsToAmount } from '../values/decimal.js'
import type { RideRow } from '../rows/row-types.js'
import { buildCycles, type DeploymentCycle } from './cycle-builder.js'
import { streetFigures, totalRides, type RideTotals, type StreetFigures } from './cycle-figures.js'
import { qrCodesOf, type QrClaim } from './qr-codes.js'
import { rideDistanceMeters, rideDurationSeconds, wholeSecondsBetween } from './ride-metrics.js'
import type { CycleSummary, RideItem, SelectionPolicy, VehicleResponse } from './response-schema.js'
import { createHash } from 'node:crypto'
import type { VehicleEvents } from './vehicle-events.js'

/** domain.md §8: at most this many items. */
export const MAX_ITEMS = 5

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** `recent`: newest start first, then ride_id ascending. */
function byRecent(a: RideRow, b: RideRow): number {
  return b.startedAt - a.startedAt || compareIds(a.rideId, b.rideId)
}

/** `revenue`: highest amount first, missing amounts last, then as `recent`. */
function byRevenue(a: RideRow, b: RideRow): number {
  if (a.amountCents === null || b.amountCents === null) {
    if (a.amountCents !== b.amountCents) return a.amountCents === null ? 1 : -1
  } else if (a.amountCents !== b.amountCents) return b.amountCents - a.amountCents
  return byRecent(a, b)
}

/** The rides a policy puts first, at most `limit`. */
export function selectRides(rides: readonly RideRow[], policy: SelectionPolicy, limit = MAX_ITEMS): RideRow[] {
  return [...rides].sort(policy === 'revenue' ? byRevenue : byRecent).slice(0, limit)
}

export function rideItem(ride: RideRow): RideItem {
  const amount = ride.amountCents
  return {
    type: 'ride',
    ride_id: ride.rideId,
    started_at: formatTimestamp(ride.startedAt),
    ended_at: formatTimestamp(ride.endedAt),
    duration_s: rideDurationSeconds(ride),
    start: ride.start === null ? null : { lat: ride.start.lat, lng: ride.start.lng },
    end: ride.end === null ? null : { lat: ride.end.lat, lng: ride.end.lng },
    distance_m: rideDistanceMeters(ride),
    gross_amount: amount === null ? null : centsToAmount(amount),
  }
}

/** How an open cycle's street figures are written: real numbers, or template slots. */
export type OpenCycleFigures = (startedAt: number, totals: RideTotals) => StreetFigures

export function cycleSummary(cycle: DeploymentCycle, totals: RideTotals, openFigures: OpenCycleFigures): CycleSummary {
  const street =
    cycle.endedAt === null
      ? openFigures(cycle.startedAt, totals)
      : streetFigures(wholeSecondsBetween(cycle.startedAt, cycle.endedAt), totals.rideTimeS, totals.revenueCents)
  return {
    deployment_id: cycle.deployment.taskId,
    started_at: formatTimestamp(cycle.startedAt),
    ended_at: cycle.endedAt === null ? null : formatTimestamp(cycle.endedAt),
    end_reason: cycle.endReason,
    pickup_id: cycle.pickupId,
    ride_count: totals.rideCount,
    revenue: centsToAmount(totals.revenueCents),
    rides_without_amount: totals.ridesWithoutAmount,
    distance_m: totals.distanceM,
    ride_time_s: totals.rideTimeS,
    ...street,
  }
}

interface Composition {
  response: VehicleResponse
  openCycle: OpenCycle | null
  claims: QrClaim[]
}

function addTotals(sum: RideTotals, part: RideTotals): void {
  sum.rideCount += part.rideCount
  sum.revenueCents += part.revenueCents
  sum.ridesWithoutAmount += part.ridesWithoutAmount
  sum.distanceM += part.distanceM
  sum.rideTimeS += part.rideTimeS
}

function compose(events: VehicleEvents, policy: SelectionPolicy, asOfText: string | null, openFigures: OpenCycleFigures): Composition {
  const { cycles, orphanRides } = buildCycles(events.deployments, events.pickups, events.rides)
  const { qrCode, claims } = qrCodesOf(events.pickups)
  // Every ride is in exactly one cycle or among the orphans, so lifetime sums
  // are the sum of those parts: each ride's distance is computed once.
  const lifetime = totalRides(orphanRides)
  const totals = cycles.map((cycle) => {
    const cycleTotals = totalRides(cycle.rides)
    addTotals(lifetime, cycleTotals)
    return cycleTotals
  })
  const summarise = (i: number): CycleSummary => cycleSummary(cycles[i] as DeploymentCycle, totals[i] as RideTotals, openFigures)

  const items: VehicleResponse['items'] = []
  const latest = cycles.length - 1
  const current = cycles[latest]
  const currentSummary = current === undefined ? null : summarise(latest)
  if (current !== undefined && currentSummary !== null) {
    for (const ride of selectRides(current.rides, policy)) items.push(rideItem(ride))
    if (items.length < MAX_ITEMS) items.push({ type: 'cycle', ...currentSummary })
    for (let i = latest - 1; i >= 0 && items.length < MAX_ITEMS; i--) items.push({ type: 'cycle', ...summarise(i) })
  }

  const response: VehicleResponse = {
    vehicle_id: events.vehicleId,
    qr_code: qrCode,
    as_of: asOfText,
    policy,
    current_cycle: currentSummary,
    items,
    lifetime: {
      cycles: cycles.length,
      rides: lifetime.rideCount,
      orphan_rides: orphanRides.length,
      revenue: centsToAmount(lifetime.revenueCents),
      distance_m: lifetime.distanceM,
    },
  }
  const currentTotals = totals[latest]
  return {
    response,
    openCycle:
      current !== undefined && current.endedAt === null && currentTotals !== undefined
        ? { startedAt: current.startedAt, rideTimeS: currentTotals.rideTimeS, revenueCents: currentTotals.revenueCents }
        : null,
    claims,
  }
}

export interface BuildResponseOptions {
  /** Epoch ms of the data's `as_of` (latest timestamp of any accepted row), null when there is no data. */
  asOf: number | null
  policy?: SelectionPolicy
}

export function openFiguresAt(asOf: number | null): OpenCycleFigures {
  return (startedAt, totals) =>
    streetFigures(asOf === null ? 0 : Math.max(0, wholeSecondsBetween(startedAt, asOf)), totals.rideTimeS, totals.revenueCents)
}

/**
 * The v1 vehicle performance response from a vehicle's raw rows: pure, no
 * store needed. The same events and options always give the same bytes
 * under JSON.stringify.
 */
export function buildVehicleResponse(events: VehicleEvents, options: BuildResponseOptions): VehicleResponse {
  const asOfText = options.asOf === null ? null : formatTimestamp(options.asOf)
  return compose(events, options.policy ?? 'recent', asOfText, openFiguresAt(options.asOf)).response
}

// ---------------------------------------------------------------------------
// Precomputed views. `as_of` moves with every ingest and with it the open
// cycle's street time, utilization and revenue per street hour, for every
// vehicle. A view is therefore the response as JSON text with those four
// values left as slots, plus the integers needed to fill them, so a new
// `as_of` never requires rewriting (or re-reading the rides of) any vehicle.
// ---------------------------------------------------------------------------

/** The integers an open cycle's street figures are computed from. */
export interface OpenCycle {
  startedAt: number
  rideTimeS: number
  revenueCents: number
}

export interface VehicleView {
  vehicleId: string
  qrCode: string | null
  policy: SelectionPolicy
  /** The response JSON with `as_of`-dependent slots; fill it with renderVehicleView. */
  template: string
  openCycle: OpenCycle | null
  /** Identifies template + open cycle; with `as_of` it identifies the response bytes. */
  contentHash: string
  qrClaims: QrClaim[]
}

// JSON.stringify writes U+0001 as the 6-character escape, which no valid
// value in a response can contain, so these strings are unambiguous slots.
const SLOT_AS_OF = '\u0001A'
const SLOT_STREET_TIME = '\u0001S'
const SLOT_UTILIZATION = '\u0001U'
const SLOT_REVENUE_PER_HOUR = '\u0001R'
const SLOT_PATTERN = /"\\u0001([ASUR])"/g

const slotFigures: OpenCycleFigures = () =>
  ({
    street_time_s: SLOT_STREET_TIME,
    utilization: SLOT_UTILIZATION,
    revenue_per_street_hour: SLOT_REVENUE_PER_HOUR,
  }) as unknown as StreetFigures

export function buildVehicleView(events: VehicleEvents, options: { policy?: SelectionPolicy } = {}): VehicleView {
  const policy = options.policy ?? 'recent'
  const { response, openCycle, claims } = compose(events, policy, SLOT_AS_OF, slotFigures)
  const template = JSON.stringify(response)
  const openText = openCycle === null ? '' : `${openCycle.startedAt}|${openCycle.rideTimeS}|${openCycle.revenueCents}`
  return {
    vehicleId: events.vehicleId,
    qrCode: response.qr_code,
    policy,
    template,
    openCycle,
    contentHash: createHash('sha1').update(template).update(openText).digest('base64url').slice(0, 20),
    qrClaims: claims,
  }
}

/** Fills a view's slots for a given `as_of`: the exact bytes buildVehicleResponse would give. */
export function renderVehicleView(view: Pick<VehicleView, 'template' | 'openCycle'>, asOf: number | null): string {
  const asOfJson = asOf === null ? 'null' : `"${formatTimestamp(asOf)}"`
  const open = view.openCycle
  const figures = open === null ? null : openFiguresAt(asOf)(open.startedAt, { rideTimeS: open.rideTimeS, revenueCents: open.revenueCents } as RideTotals)
  return view.template.replace(SLOT_PATTERN, (_match, slot: string) => {
    if (slot === 'A') return asOfJson
    if (figures === null) return 'null'
    const value = slot === 'S' ? figures.street_time_s : slot === 'U' ? figures.utilization : figures.revenue_per_street_hour
    return JSON.stringify(value)
  })
}

/** A strong ETag for a rendered view: same content and `as_of`, same bytes. */
export function viewEtag(contentHash: string, asOf: number | null): string {
  return `"${contentHash}-${asOf === null ? '0' : asOf.toString(36)}"`
}
