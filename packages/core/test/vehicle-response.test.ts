import { describe, expect, it } from 'vitest'
import {
  buildVehicleResponse,
  buildVehicleView,
  haversineMeters,
  renderVehicleView,
  vehicleResponseJsonSchema,
  vehicleResponseSchema,
  type VehicleEvents,
} from '@vehicle-perf/core'
import { at, deployment, pickup, ride, VEHICLE } from './fixtures.js'

function events(partial: Partial<VehicleEvents>): VehicleEvents {
  return { vehicleId: VEHICLE, deployments: [], pickups: [], rides: [], ...partial }
}

const AS_OF = at('2019-05-31T23:58:01.112')

describe('ride and cycle metrics', () => {
  it('measures distance with haversine on a 6,371,008.8 m earth, in whole metres', () => {
    expect(haversineMeters({ lat: 48.83, lng: 2.38 }, { lat: 48.83, lng: 2.36 })).toBe(1464)
    expect(haversineMeters({ lat: 0, lng: 0 }, { lat: 0, lng: 180 })).toBe(Math.round(Math.PI * 6_371_008.8))
  })

  it('truncates ride durations to whole seconds and sums them as ride time', () => {
    const response = buildVehicleResponse(
      events({ deployments: [deployment(1, '2019-05-01T09:00')], rides: [ride(1, '2019-05-01T10:00', { end: '2019-05-01T10:00:01.999' })] }),
      { asOf: AS_OF },
    )
    expect(response.items[0]).toMatchObject({ type: 'ride', duration_s: 1 })
    expect(response.current_cycle?.ride_time_s).toBe(1)
  })

  it('computes street time to as_of for an open cycle and to the end for a closed one', () => {
    const response = buildVehicleResponse(
      events({ deployments: [deployment(1, '2019-05-01T00:00'), deployment(2, '2019-05-31T00:00')], pickups: [pickup(1, '2019-05-02T00:00')] }),
      { asOf: at('2019-05-31T01:00:00.999') },
    )
    expect(response.current_cycle?.street_time_s).toBe(3600)
    expect(response.items.map((i) => i.type === 'cycle' && i.street_time_s)).toEqual([3600, 86_400])
  })

  it('rounds utilization to 4 decimals and revenue per street hour to 2, half-even (1/32 -> 0.0312)', () => {
    const response = buildVehicleResponse(
      events({
        deployments: [deployment(1, '2019-05-01T00:00:00')],
        pickups: [pickup(1, '2019-05-01T00:00:32')],
        rides: [ride(1, '2019-05-01T00:00:00', { end: '2019-05-01T00:00:01', amountCents: 1 })],
      }),
      { asOf: AS_OF },
    )
    expect(response.current_cycle).toMatchObject({ street_time_s: 32, ride_time_s: 1, utilization: 0.0312, revenue_per_street_hour: 1.12 })
  })

  it('gives null utilization and revenue per hour for a zero-length cycle', () => {
    const response = buildVehicleResponse(events({ deployments: [deployment(2, '2019-05-01T09:00'), deployment(1, '2019-05-01T09:00')] }), { asOf: at('2019-05-01T09:00') })
    expect(response.items.map((i) => i.type === 'cycle' && [i.street_time_s, i.utilization, i.revenue_per_street_hour])).toEqual([
      [0, null, null],
      [0, null, null],
    ])
  })

  it('sums known amounts and distances only, and counts rides without an amount', () => {
    const response = buildVehicleResponse(
      events({
        deployments: [deployment(1, '2019-05-01T09:00')],
        rides: [ride(1, '2019-05-01T10:00', { amountCents: null }), ride(2, '2019-05-01T11:00', { to: null, amountCents: 345 })],
      }),
      { asOf: AS_OF },
    )
    expect(response.current_cycle).toMatchObject({ ride_count: 2, revenue: 3.45, rides_without_amount: 1, distance_m: 1464 })
    expect(response.items[0]).toMatchObject({ ride_id: 'R2000000000000000000', distance_m: null, end: null, gross_amount: 3.45 })
  })
})

describe('the v1 response', () => {
  const sixRides = [
    ride(1, '2019-05-01T10:00', { amountCents: 300 }),
    ride(2, '2019-05-01T11:00', { amountCents: null }),
    ride(3, '2019-05-01T12:00', { amountCents: 300 }),
    ride(4, '2019-05-01T12:00', { amountCents: 150 }),
    ride(5, '2019-05-01T13:00', { amountCents: 900 }),
    ride(6, '2019-05-01T09:30', { amountCents: 200 }),
  ]
  const base = events({ deployments: [deployment(1, '2019-05-01T09:00')], rides: sixRides })

  it('lists the current cycle rides newest first, ride_id ascending on ties, at most 5 (recent)', () => {
    const response = buildVehicleResponse(base, { asOf: AS_OF, policy: 'recent' })
    expect(response.items.map((i) => (i.type === 'ride' ? i.ride_id.slice(0, 2) : i.type))).toEqual(['R5', 'R3', 'R4', 'R2', 'R1'])
  })

  it('lists by amount descending, newest first on ties, missing amounts last (revenue)', () => {
    const response = buildVehicleResponse(base, { asOf: AS_OF, policy: 'revenue' })
    expect(response.items.map((i) => (i.type === 'ride' ? i.ride_id.slice(0, 2) : i.type))).toEqual(['R5', 'R3', 'R1', 'R6', 'R4'])
    expect(response.policy).toBe('revenue')
  })

  it('fills up to 5 items with cycle summaries, current cycle first, then earlier cycles newest first', () => {
    const response = buildVehicleResponse(
      events({
        deployments: [deployment(1, '2019-05-01T09:00'), deployment(2, '2019-05-02T09:00'), deployment(3, '2019-05-03T09:00'), deployment(4, '2019-05-04T09:00')],
        rides: [ride(1, '2019-05-04T10:00'), ride(2, '2019-05-01T10:00')],
      }),
      { asOf: AS_OF },
    )
    expect(response.items.map((i) => (i.type === 'ride' ? i.ride_id.slice(0, 2) : i.deployment_id.slice(0, 2)))).toEqual(['R1', 'D4', 'D3', 'D2', 'D1'])
    expect(response.items[1]).toEqual({ type: 'cycle', ...response.current_cycle })
    expect(response.lifetime).toEqual({ cycles: 4, rides: 2, orphan_rides: 0, revenue: 5, distance_m: 2928 })
  })

  it('answers a known vehicle without cycles with current_cycle null and no items, orphan rides in lifetime', () => {
    const response = buildVehicleResponse(events({ pickups: [pickup(1, '2019-05-02T09:00')], rides: [ride(1, '2019-05-01T09:00')] }), { asOf: AS_OF })
    expect(response).toMatchObject({ qr_code: 'XXBGC5', current_cycle: null, items: [], lifetime: { cycles: 0, rides: 1, orphan_rides: 1, revenue: 2.5 } })
  })

  it('takes the vehicle qr code from its most recent pickup: resolved, then created, then input order', () => {
    const qr = (pickups: ReturnType<typeof pickup>[]): string | null => buildVehicleResponse(events({ pickups }), { asOf: AS_OF }).qr_code
    expect(qr([pickup(1, '2019-05-01T09:00', '2019-05-03T00:00', 'AAAAAA'), pickup(2, '2019-05-02T09:00', '2019-05-02T10:00', 'BBBBBB')])).toBe('AAAAAA')
    expect(qr([pickup(1, '2019-05-01T09:00', '2019-05-03T00:00', 'AAAAAA'), pickup(2, '2019-05-02T09:00', '2019-05-03T00:00', 'BBBBBB')])).toBe('BBBBBB')
    expect(qr([pickup(1, '2019-05-01T09:00', '2019-05-03T00:00', 'AAAAAA'), pickup(2, '2019-05-01T09:00', '2019-05-03T00:00', 'BBBBBB')])).toBe('BBBBBB')
    expect(qr([])).toBeNull()
  })

  it('writes money with at most 2 decimals and integral values as integers', () => {
    const response = buildVehicleResponse(events({ deployments: [deployment(1, '2019-05-01T09:00')], rides: [ride(1, '2019-05-01T10:00', { amountCents: 200 })] }), { asOf: AS_OF })
    const json = JSON.stringify(response)
    expect(json).toContain('"gross_amount":2}')
    expect(json).toContain('"as_of":"2019-05-31T23:58:01.112Z"')
  })

  it('validates against the exported zod schema and JSON Schema', () => {
    const response = buildVehicleResponse(base, { asOf: AS_OF })
    expect(vehicleResponseSchema.parse(response)).toEqual(response)
    const schema = vehicleResponseJsonSchema()
    expect(schema).toMatchObject({ type: 'object' })
    expect((schema as { required: string[] }).required).toContain('lifetime')
  })
})

describe('precomputed views', () => {
  it('render to exactly the bytes of the direct response, for any as_of', () => {
    const vehicle = events({
      deployments: [deployment(1, '2019-05-01T09:00'), deployment(2, '2019-05-03T09:00')],
      pickups: [pickup(1, '2019-05-02T09:00')],
      rides: [ride(1, '2019-05-01T10:00'), ride(2, '2019-05-03T10:00', { amountCents: 123 })],
    })
    const view = buildVehicleView(vehicle)
    for (const asOf of [at('2019-05-03T10:10'), AS_OF, at('2019-06-30T00:00')]) {
      expect(renderVehicleView(view, asOf)).toBe(JSON.stringify(buildVehicleResponse(vehicle, { asOf })))
    }
    expect(view.openCycle).toEqual({ startedAt: at('2019-05-03T09:00'), rideTimeS: 600, revenueCents: 123 })
  })
})
