import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  buildCycles,
  buildVehicleResponse,
  buildVehicleView,
  createMemoryStorage,
  ingest,
  sameNormalisedValues,
  type OperationRow,
  KIND_COLUMNS,
  MAX_ITEMS,
  readOperationRows,
  renderVehicleView,
  type DeploymentRow,
  type PickupRow,
  type RideRow,
} from '@vehicle-perf/core'
import { MemoryDatabase } from '../src/storage/memory-storage.js'

const BASE = Date.parse('2019-05-01T00:00:00Z')
const HOUR = 3_600_000

// Ids from a small alphabet so that keys collide often: duplicates on purpose.
const rideId = fc.constantFrom('R0000000000000000001', 'R0000000000000000002', 'R0000000000000000003', 'bad-id')
const time = fc.integer({ min: 0, max: 72 }).map((h) => new Date(BASE + h * HOUR).toISOString().replace('T', ' ').replace('Z', ' UTC'))
const amount = fc.constantFrom('2.5', '2.50', '3', '', '-1', '1e3')
const rideLine = fc
  .tuple(rideId, time, time, fc.constantFrom('48.8', '0', '91'), amount, fc.boolean())
  .map(([id, start, end, lat, amt, short]) =>
    short ? `${id},x` : [id, 'f42vVrTOJh7yVYJACDCv', start, end, lat, '2.3', '48.81', '2.31', amt].join(','),
  )

const deploymentRow = fc.record({ created: fc.integer({ min: 0, max: 48 }), delay: fc.integer({ min: 0, max: 3 }) }).map(
  ({ created, delay }, ): Omit<DeploymentRow, 'taskId'> => ({ kind: 'deployment', vehicleId: 'f42vVrTOJh7yVYJACDCv', createdAt: BASE + created * HOUR, resolvedAt: BASE + (created + delay) * HOUR }),
)
const pickupRow = fc.integer({ min: 0, max: 52 }).map((h): Omit<PickupRow, 'taskId'> => ({ kind: 'pickup', vehicleId: 'f42vVrTOJh7yVYJACDCv', qrCode: 'XXBGC5', createdAt: BASE + h * HOUR, resolvedAt: BASE + h * HOUR }))
const rideRow = fc
  .record({ start: fc.integer({ min: -5, max: 60 }), minutes: fc.integer({ min: 0, max: 90 }), cents: fc.option(fc.integer({ min: 0, max: 2000 })) })
  .map(({ start, minutes, cents }): Omit<RideRow, 'rideId'> => ({
    kind: 'ride',
    vehicleId: 'f42vVrTOJh7yVYJACDCv',
    startedAt: BASE + start * HOUR,
    endedAt: BASE + start * HOUR + minutes * 60_000,
    start: { lat: 48.8, lng: 2.3 },
    end: { lat: 48.81, lng: 2.31 },
    amountCents: cents,
  }))

const withIds = <T, K extends string>(rows: T[], key: K, prefix: string): (T & Record<K, string>)[] =>
  rows.map((row, i) => ({ ...row, [key]: `${prefix}${String(i).padStart(19, '0')}` }) as T & Record<K, string>)

const vehicleEvents = fc
  .tuple(fc.array(deploymentRow, { maxLength: 6 }), fc.array(pickupRow, { maxLength: 6 }), fc.array(rideRow, { maxLength: 15 }))
  .map(([deployments, pickups, rides]) => ({
    vehicleId: 'f42vVrTOJh7yVYJACDCv',
    deployments: withIds(deployments, 'taskId', 'D'),
    pickups: withIds(pickups, 'taskId', 'P'),
    rides: withIds(rides, 'rideId', 'R'),
  }))

// Rows from tiny pools, so that two of them are often equal or differ in one field.
const few = <T>(...values: T[]) => fc.constantFrom(...values)
const point = fc.option(fc.record({ lat: few(48.8, 0, -0, Number.NaN), lng: few(2.3, 2.31) }), { nil: null })
const anyRow: fc.Arbitrary<OperationRow> = fc.oneof(
  fc.record({ kind: fc.constant('deployment' as const), taskId: few('D1', 'D2'), vehicleId: few('V1', 'V2'), createdAt: few(0, -0, 5), resolvedAt: few(5, Number.NaN) }),
  fc.record({ kind: fc.constant('pickup' as const), taskId: few('D1', 'P1'), vehicleId: few('V1', 'V2'), qrCode: few('AAAAAA', 'BBBBBB'), createdAt: few(0, 5), resolvedAt: few(5, 6) }),
  fc.record({
    kind: fc.constant('ride' as const),
    rideId: few('R1', 'R2'),
    vehicleId: few('V1', 'V2'),
    startedAt: few(0, 7),
    endedAt: few(7, 9),
    start: point,
    end: point,
    amountCents: few(null, 0, -0, 250),
  }),
)

describe('rules that hold for all inputs', () => {
  it('two rows are an exact duplicate exactly when all their normalised values are equal (-0 is 0)', () => {
    // The oracle: every value as text, NaN apart from null, -0 written as 0.
    const text = (row: OperationRow): string => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'number' && Number.isNaN(value) ? 'NaN' : value))
    fc.assert(
      fc.property(anyRow, anyRow, (a, b) => {
        expect(sameNormalisedValues(a, b)).toBe(text(a) === text(b))
      }),
      { numRuns: 3000 },
    )
  })

  it('accounts for every input row exactly once: accepted, duplicate or rejected, each at its line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rideLine, { maxLength: 25 }), async (lines) => {
        const text = `${KIND_COLUMNS.ride.join(',')}\n${lines.join('\n')}\n`
        const database = new MemoryDatabase()
        const report = await ingest({ adapter: createMemoryStorage({ database }), batchSize: 4, sources: [{ name: 'rides.csv', stream: [text] }] })
        const { rows_read, accepted, duplicates, rejected } = report.totals
        expect(rows_read).toBe(lines.length)
        expect(accepted + duplicates.exact + duplicates.conflict + rejected.rows).toBe(rows_read)
        expect(database.keys.ride.size).toBe(accepted)
        const lineOf = new Map<number, string>()
        for (const reject of database.rejects) lineOf.set(reject.line, 'rejected')
        for (const duplicate of database.duplicates) lineOf.set(duplicate.line, 'duplicate')
        expect(lineOf.size).toBe(rejected.rows + duplicates.exact + duplicates.conflict)
        expect([...lineOf.keys()].every((line) => line >= 2 && line <= lines.length + 1)).toBe(true)
      }),
    )
  })

  it('puts every ride in at most one cycle, inside its bounds, or else among the orphans', () => {
    fc.assert(
      fc.property(vehicleEvents, (events) => {
        const { cycles, orphanRides } = buildCycles(events.deployments, events.pickups, events.rides)
        const placed = cycles.flatMap((c) => c.rides)
        expect(placed.length + orphanRides.length).toBe(events.rides.length)
        expect(new Set([...placed, ...orphanRides]).size).toBe(events.rides.length)
        for (const cycle of cycles) {
          for (const ride of cycle.rides) {
            expect(ride.startedAt).toBeGreaterThanOrEqual(cycle.startedAt)
            if (cycle.endedAt !== null) expect(ride.startedAt).toBeLessThan(cycle.endedAt)
          }
        }
        for (const ride of orphanRides) {
          expect(cycles.some((c) => c.startedAt <= ride.startedAt && (c.endedAt === null || ride.startedAt < c.endedAt))).toBe(false)
        }
      }),
    )
  })

  it('never answers more than 5 items, and the same input always gives the same bytes', () => {
    fc.assert(
      fc.property(vehicleEvents, fc.constantFrom('recent' as const, 'revenue' as const), fc.integer({ min: 0, max: 100 }), (events, policy, asOfHours) => {
        const asOf = BASE + asOfHours * HOUR
        const first = JSON.stringify(buildVehicleResponse(events, { asOf, policy }))
        const again = JSON.stringify(buildVehicleResponse(structuredClone(events), { asOf, policy }))
        expect(again).toBe(first)
        expect((JSON.parse(first) as { items: unknown[] }).items.length).toBeLessThanOrEqual(MAX_ITEMS)
        expect(renderVehicleView(buildVehicleView(events, { policy }), asOf)).toBe(first)
      }),
    )
  })
})
