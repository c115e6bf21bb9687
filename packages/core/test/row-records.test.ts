import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildVehicleView,
  readRowRecord,
  renderChunk,
  rowRecordSize,
  vehicleEventsOf,
  writeRowRecord,
  type OperationRow,
  type VehicleEvents,
  type VehicleRecordsChunk,
} from '@vehicle-perf/core'
import { RenderWorker } from '../src/ingest/render-worker-client.js'

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

/** Vehicles' rows as a store would hand them over: records back to back, seq in order. */
function chunkOf(vehicles: { vehicleId: string; rows: OperationRow[] }[]): VehicleRecordsChunk {
  const records = Buffer.alloc(vehicles.reduce((sum, v) => sum + v.rows.length * 88, 0))
  const ends: number[] = []
  let at = 0
  let seq = 1
  for (const { rows } of vehicles) {
    for (const row of rows) {
      writeRowRecord(records, at, row, seq++)
      at += rowRecordSize(records, at)
    }
    ends.push(at)
  }
  return { vehicleIds: vehicles.map((v) => v.vehicleId), ends, records: records.subarray(0, at) }
}

const vehicles = fc.uniqueArray(id, { minLength: 1, maxLength: 6 }).chain((ids) =>
  fc.tuple(...ids.map((vehicleId) => fc.array(rowOf(fc.constant(vehicleId)), { maxLength: 12 }).map((rows) => ({ vehicleId, rows })))),
)

describe('row records', () => {
  it('give back every row bit for bit, a pickup with its seq', () => {
    fc.assert(
      fc.property(rowOf(id), fc.integer({ min: 1, max: 2 ** 40 }), (row, seq) => {
        const bytes = Buffer.alloc(100)
        writeRowRecord(bytes, 7, row, seq)
        expect(readRowRecord(bytes, 7, row.vehicleId)).toEqual(row.kind === 'pickup' ? { ...row, seq } : row)
        expect(rowRecordSize(bytes, 7)).toBe({ deployment: 48, pickup: 54, ride: 88 }[row.kind])
      }),
    )
  })

  it('group back into a vehicle\'s events by kind, each in the order the records are in', () => {
    fc.assert(
      fc.property(vehicles, (list) => {
        const chunk = chunkOf(list)
        let start = 0
        let seq = 1
        list.forEach(({ vehicleId, rows }, i) => {
          const events = vehicleEventsOf(vehicleId, chunk.records, start, chunk.ends[i] as number)
          const sequenced = rows.map((row) => (row.kind === 'pickup' ? { ...row, seq: seq++ } : (seq++, row)))
          expect(events).toEqual({
            vehicleId,
            deployments: sequenced.filter((row) => row.kind === 'deployment'),
            pickups: sequenced.filter((row) => row.kind === 'pickup'),
            rides: sequenced.filter((row) => row.kind === 'ride'),
          } satisfies VehicleEvents)
          start = chunk.ends[i] as number
        })
      }),
    )
  })

  it('refuse a byte that is no kind, naming where it is', () => {
    const bytes = Buffer.alloc(48)
    bytes[0] = 9
    expect(() => rowRecordSize(bytes, 0)).toThrow(/corrupt row record \(kind 9\) at byte 0/)
    expect(() => readRowRecord(bytes, 0, 'x')).toThrow(/corrupt row record/)
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

  it('gives the views and latest timestamp the calling thread gives, for either policy', async () => {
    await fc.assert(
      fc.asyncProperty(vehicles, fc.constantFrom('recent' as const, 'revenue' as const), async (list, policy) => {
        const chunk = chunkOf(list)
        const expected = renderChunk(chunk, policy)
        expect(expected.views.map((view) => view.template)).toEqual(
          list.map(({ vehicleId }, i) => buildVehicleView(vehicleEventsOf(vehicleId, chunk.records, chunk.ends[i - 1] ?? 0, chunk.ends[i] as number), { policy }).template),
        )
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
    expect(await worker.render({ ...chunk, records }, 'recent')).toEqual(renderChunk(chunk, 'recent'))
    expect(shared.length).toBe(chunk.records.length + 16)
  })

  it('fails a corrupt chunk with a clear error, and renders the next one', async () => {
    const corrupt = Buffer.alloc(48)
    corrupt[0] = 7
    await expect(worker.render({ vehicleIds: ['f42vVrTOJh7yVYJACDCv'], ends: [48], records: corrupt }, 'recent')).rejects.toThrow(/render worker: .*corrupt row record \(kind 7\)/)
    const chunk = chunkOf([{ vehicleId: 'f42vVrTOJh7yVYJACDCv', rows: [] }])
    expect(await worker.render(chunk, 'recent')).toEqual(renderChunk(chunk, 'recent'))
  })
})
