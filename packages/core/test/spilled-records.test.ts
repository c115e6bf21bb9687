import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { OperationRow } from '@vehicle-perf/core'
import { packedRowSizeAt, unpackRow } from '@vehicle-perf/core/packed-rows'
import { readRecord, recordSize, writeRecord, writeStoredRecord } from '../src/spilled-run/spill-records.js'

describe('spilled records', () => {
  test('every row kind survives packing, spilled and stored, bit for bit, with its seq', () => {
    const coordinate = fc.double({ min: -180, max: 180, noNaN: true })
    const time = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => ms + 0.5 * (ms % 3))
    const id = fc.stringMatching(/^[A-Za-z0-9]{20}$/)
    const row: fc.Arbitrary<OperationRow> = fc.oneof(
      fc.record({ kind: fc.constant('deployment' as const), taskId: id, vehicleId: id, createdAt: time, resolvedAt: time }),
      fc.record({ kind: fc.constant('pickup' as const), taskId: id, vehicleId: id, qrCode: fc.stringMatching(/^[A-Z0-9]{6}$/), createdAt: time, resolvedAt: time }),
      fc.record({
        kind: fc.constant('ride' as const), rideId: id, vehicleId: id, startedAt: time, endedAt: time,
        start: fc.option(fc.record({ lat: coordinate, lng: coordinate }), { nil: null }),
        end: fc.option(fc.record({ lat: coordinate, lng: coordinate }), { nil: null }),
        amountCents: fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: null }),
      }),
    )
    fc.assert(
      fc.property(row, fc.integer({ min: 1, max: 2 ** 40 }), fc.nat(), fc.nat(), (original, seq, file, line) => {
        const spilled = Buffer.alloc(200)
        writeRecord(spilled, 3, original, seq, file, line, 12345)
        const expected = { ...original, seq }
        expect(readRecord(spilled, 3)).toEqual(expected)
        expect(recordSize(spilled, 3)).toBe({ deployment: 84, pickup: 90, ride: 124 }[original.kind])
        const stored = Buffer.alloc(200)
        expect(writeStoredRecord(spilled, 3, stored, 5)).toBe({ deployment: 48, pickup: 54, ride: 88 }[original.kind])
        expect(unpackRow(stored, 5, original.vehicleId)).toEqual(expected)
        expect(packedRowSizeAt(stored, 5)).toBe({ deployment: 48, pickup: 54, ride: 88 }[original.kind])
      }),
    )
  })
})
