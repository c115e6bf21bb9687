import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildVehicleView, eventsOfHistory, type OperationRow, type StoredRow, type VehicleEvents, type VehicleHistory } from '@vehicle-perf/core'
import { packedRowSize, packedRowSizeAt, packRow, unpackRow, type PackedVehicles } from '@vehicle-perf/core/packed-rows'
import { RenderWorker } from '../src/ingest/render-worker-client.js'
import { packVehicles, renderHistories, renderPackedVehicles, unpackVehicles } from '../src/response/render-vehicles.js'

const coordinate = fc.double({ min: -180, max: 180, noNaN: true })
const time = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => ms + 0.5 * (ms % 3))
const id = fc.stringMatching(/^[A-Za-z0-9]{20}$/)
const rowOf = (vehicleId: fc.Arbitrary<string>): fc.Arbitrary<OperationRow> =>
  fc.oneof(
    fc.record({ kind: fc.constant('deployment' as const), taskId: id, vehicleId, createdAt: time, resolvedAt: time }),
    fc.record({ kind: fc.constant('pickup' as const), taskId: id, vehicleId, qrCode: fc.stringMatching(/^[A-Z0-9]{6}$/), createdAt: time, resolvedAt: time }),
    fc.record({
      kind: fc.constant('ride' as const),
      rideId: id,
      vehicleId,
      startedAt: time,
      endedAt: time,
      start: fc.option(fc.record({ lat: coordinate, lng: coordinate }), { nil: null }),
      end: fc.option(fc.record({ lat: coordinate, lng: coordinate }), { nil: null }),
      amountCents: fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: null }),
    }),
  )

/** Vehicles' rows as a store hands them over: each row with a seq, in seq order. */
function historiesOf(vehicles: { vehicleId: string; rows: OperationRow[] }[]): VehicleHistory[] {
  let seq = 1
  return vehicles.map(({ vehicleId, rows }) => ({ vehicleId, rows: rows.map((row) => ({ ...row, seq: seq++ }) as StoredRow) }))
}

/** The same as packed records, written one by one with packRow. */
function chunkOf(vehicles: { vehicleId: string; rows: OperationRow[] }[]): PackedVehicles {
  const histories = historiesOf(vehicles)
  const records = Buffer.alloc(histories.reduce((sum, h) => sum + h.rows.length * 88, 0))
  const ends: number[] = []
  let at = 0
  for (const { rows } of histories) {
    for (const row of rows) {
      packRow(records, at, row, row.seq)
      at += packedRowSize(row.kind)
    }
    ends.push(at)
  }
  return { vehicleIds: vehicles.map((v) => v.vehicleId), ends, records: records.subarray(0, at) }
}

const vehicles = fc.uniqueArray(id, { minLength: 1, maxLength: 6 }).chain((ids) =>
  fc.tuple(...ids.map((vehicleId) => fc.array(rowOf(fc.constant(vehicleId)), { maxLength: 12 }).map((rows) => ({ vehicleId, rows })))),
)

describe('packed rows', () => {
  it('give back every row bit for bit, with its seq', () => {
    fc.assert(
      fc.property(rowOf(id), fc.integer({ min: 1, max: 2 ** 40 }), (row, seq) => {
        const bytes = Buffer.alloc(100)
        packRow(bytes, 7, row, seq)
        expect(unpackRow(bytes, 7, row.vehicleId)).toEqual({ ...row, seq })
        expect(packedRowSizeAt(bytes, 7)).toBe({ deployment: 48, pickup: 54, ride: 88 }[row.kind])
        expect(packedRowSize(row.kind)).toBe(packedRowSizeAt(bytes, 7))
      }),
    )
  })

  it('packed by core, unpack to the same histories', () => {
    fc.assert(
      fc.property(vehicles, (list) => {
        const histories = historiesOf(list)
        expect(unpackVehicles(packVehicles(histories))).toEqual(histories)
        expect(packVehicles(histories)).toEqual(chunkOf(list))
      }),
    )
  })

  it('group into a vehicle\'s events by kind, each in seq order whatever order the store gave them in', () => {
    fc.assert(
      fc.property(vehicles, fc.integer(), (list, shuffleSeed) => {
        for (const history of historiesOf(list)) {
          const shuffled = [...history.rows].sort((a, b) => ((a.seq * 7919 + shuffleSeed) % 13) - ((b.seq * 7919 + shuffleSeed) % 13))
          const events = eventsOfHistory({ vehicleId: history.vehicleId, rows: shuffled })
          expect(events).toEqual({
            vehicleId: history.vehicleId,
            deployments: history.rows.filter((row) => row.kind === 'deployment'),
            pickups: history.rows.filter((row) => row.kind === 'pickup'),
            rides: history.rows.filter((row) => row.kind === 'ride'),
          } satisfies VehicleEvents)
        }
      }),
    )
  })

  it('refuse a byte that is no kind, naming where it is', () => {
    const bytes = Buffer.alloc(48)
    bytes[0] = 9
    expect(() => packedRowSizeAt(bytes, 0)).toThrow(/corrupt packed row \(kind 9\) at byte 0/)
    expect(() => unpackRow(bytes, 0, 'x')).toThrow(/corrupt packed row/)
  })
})

describe('rendering views in a worker thread', () => {
  let worker: RenderWorker
  beforeAll(async () => {
    const started = await RenderWorker.start()
    if (started === null) throw new Error('the render worker did not start')
    worker = started
  })
  afterAll(async () => {
    await worker.close()
  })

  it('gives the views and latest timestamp the calling thread gives from packed or plain rows, for either policy', async () => {
    await fc.assert(
      fc.asyncProperty(vehicles, fc.constantFrom('recent' as const, 'revenue' as const), async (list, policy) => {
        const expected = renderHistories(historiesOf(list), policy)
        expect(expected.views.map((view) => view.template)).toEqual(historiesOf(list).map((history) => buildVehicleView(eventsOfHistory(history), { policy }).template))
        expect(renderPackedVehicles(chunkOf(list), policy)).toEqual(expected)
        // The worker takes the chunk's buffer: render from a copy.
        expect(await worker.render(chunkOf(list), policy)).toEqual(expected)
      }),
      { numRuns: 30 },
    )
  })

  it('renders a chunk that shares its memory with other buffers without taking that memory away', async () => {
    const chunk = chunkOf([{ vehicleId: 'f42vVrTOJh7yVYJACDCv', rows: [{ kind: 'deployment', taskId: 'D0000000000000000001', vehicleId: 'f42vVrTOJh7yVYJACDCv', createdAt: 1, resolvedAt: 2 }] }])
    const shared = Buffer.alloc(chunk.records.length + 16)
    chunk.records.copy(shared, 8)
    const records = shared.subarray(8, 8 + chunk.records.length)
    expect(await worker.render({ ...chunk, records }, 'recent')).toEqual(renderPackedVehicles(chunk, 'recent'))
    expect(shared.length).toBe(chunk.records.length + 16)
  })

  it('fails a corrupt chunk with a clear error, and renders the next one', async () => {
    const corrupt = Buffer.alloc(48)
    corrupt[0] = 7
    await expect(worker.render({ vehicleIds: ['f42vVrTOJh7yVYJACDCv'], ends: [48], records: corrupt }, 'recent')).rejects.toThrow(/render worker: .*corrupt packed row \(kind 7\)/)
    const chunk = chunkOf([{ vehicleId: 'f42vVrTOJh7yVYJACDCv', rows: [] }])
    expect(await worker.render(chunk, 'recent')).toEqual(renderPackedVehicles(chunk, 'recent'))
  })
})
