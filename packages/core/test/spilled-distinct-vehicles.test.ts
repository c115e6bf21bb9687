import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { countDistinctVehicles } from '../src/spilled-run/distinct-vehicles.js'
import { RECORD_SIZES, recordSize, recordVehicle, writeRecord, writeTouchMark } from '../src/spilled-run/spill-records.js'

describe('counting the vehicles of a range', () => {
  test('counts each distinct vehicle id once, touch marks included, as a set of the ids would', () => {
    // Ids from a small alphabet: many repeats, and ids that differ in one byte.
    const vehicleId = fc.stringMatching(/^[ab]{20}$/)
    fc.assert(
      fc.property(fc.array(fc.tuple(vehicleId, fc.boolean()), { maxLength: 400 }), (entries) => {
        const records = Buffer.alloc(entries.length * (RECORD_SIZES[0] as number))
        let offset = 0
        entries.forEach(([id, mark], i) => {
          if (mark) writeTouchMark(records, offset, id)
          else writeRecord(records, offset, { kind: 'deployment', taskId: `D${String(i).padStart(19, '0')}`, vehicleId: id, createdAt: 1, resolvedAt: 2 }, i, 0, 1, 0)
          offset += recordSize(records, offset)
        })
        const range = records.subarray(0, offset)
        const ids = new Set<string>()
        for (let at = 0; at < range.length; at += recordSize(range, at)) ids.add(recordVehicle(range, at))
        expect(countDistinctVehicles(range, 0x5eed)).toBe(ids.size)
        expect(ids.size).toBe(new Set(entries.map(([id]) => id)).size)
      }),
    )
  })
})
