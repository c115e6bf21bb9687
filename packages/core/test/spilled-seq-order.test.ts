import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { seqKey, sortByKeys } from '../src/spilled-run/seq-order.js'
import { writeRecord } from '../src/spilled-run/spill-records.js'

describe("a vehicle range's records in ingest order", () => {
  test('the radix sort orders values by their keys, equal keys in the order given, as a stable sort would', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 3 })), fc.nat()), { maxLength: 300 }), (pairs) => {
        const sorted = sortByKeys(Uint32Array.from(pairs, ([key]) => key), Uint32Array.from(pairs, (_pair, i) => i))
        const expected = pairs.map(([key], i) => ({ key, i })).sort((a, b) => a.key - b.key || a.i - b.i).map(({ i }) => i)
        expect([...sorted]).toEqual(expected)
      }),
    )
  })

  test("a record's seq key is its place in the run", () => {
    const records = Buffer.alloc(84)
    writeRecord(records, 0, { kind: 'deployment', taskId: 'D0000000000000000001', vehicleId: 'V0000000000000000001', createdAt: 1, resolvedAt: 2 }, 2 ** 40 + 7, 0, 1, 0)
    expect(seqKey(records, 0, 2 ** 40)).toBe(7)
  })

  test('refuses a record whose seq is not of the run', () => {
    const records = Buffer.alloc(84)
    writeRecord(records, 0, { kind: 'deployment', taskId: 'D0000000000000000001', vehicleId: 'V0000000000000000001', createdAt: 1, resolvedAt: 2 }, 5, 0, 1, 0)
    expect(() => seqKey(records, 0, 10)).toThrow(/seq 5 is not of this run/)
  })
})
