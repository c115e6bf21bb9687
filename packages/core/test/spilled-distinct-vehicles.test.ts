import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { countDistinctVehicles, groupByVehicle } from '../src/spilled-run/distinct-vehicles.js'
import { RECORD_SIZES, recordKindCode, recordSeq, recordSize, recordVehicle, TOUCH_MARK, writeRecord, writeTouchMark } from '../src/spilled-run/spill-records.js'

const FIRST_SEQ = 2 ** 40

/** Records of these ids (true: a touch mark), one after the other, row i with seq FIRST_SEQ + seqs[i]. */
function recordsOf(entries: readonly (readonly [string, boolean])[], seqs: readonly number[] = entries.map((_entry, i) => i)): Buffer {
  const records = Buffer.alloc(entries.length * (RECORD_SIZES[2] as number))
  let offset = 0
  entries.forEach(([id, mark], i) => {
    if (mark) writeTouchMark(records, offset, id)
    else if (i % 2 === 0) writeRecord(records, offset, { kind: 'deployment', taskId: `D${String(i).padStart(19, '0')}`, vehicleId: id, createdAt: 1, resolvedAt: 2 }, FIRST_SEQ + (seqs[i] as number), 0, 1, 0)
    else writeRecord(records, offset, { kind: 'ride', rideId: `R${String(i).padStart(19, '0')}`, vehicleId: id, startedAt: 1, endedAt: 2, start: null, end: null, amountCents: null }, FIRST_SEQ + (seqs[i] as number), 0, 1, 0)
    offset += recordSize(records, offset)
  })
  return records.subarray(0, offset)
}

// Ids from a small alphabet: many repeats, and ids that differ in one byte.
const vehicleId = fc.stringMatching(/^[ab]{20}$/)

describe('grouping a range by vehicle', () => {
  test('gives every vehicle once in id order, touch marks included, each with its row records in seq order, as a map of the ids would', () => {
    const entries = fc.array(fc.tuple(vehicleId, fc.boolean()), { maxLength: 400 })
    // Spilled in any order: seqs are a shuffle of 0..n-1.
    const shuffled = entries.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray([...list.keys()], { minLength: list.length, maxLength: list.length })))
    fc.assert(
      fc.property(shuffled, fc.integer(), ([list, seqs], seed) => {
        const records = recordsOf(list, seqs)
        const expected = new Map<string, { seq: number; at: number }[]>()
        for (let at = 0; at < records.length; at += recordSize(records, at)) {
          const rows = expected.get(recordVehicle(records, at)) ?? []
          expected.set(recordVehicle(records, at), rows)
          if (recordKindCode(records, at) !== TOUCH_MARK) rows.push({ seq: recordSeq(records, at), at })
        }
        const { vehicleIds, offsets, starts } = groupByVehicle(records, FIRST_SEQ, seed)
        expect(vehicleIds).toEqual([...expected.keys()].sort())
        expect(starts.length).toBe(vehicleIds.length + 1)
        for (const [i, id] of vehicleIds.entries()) {
          const rows = (expected.get(id) ?? []).sort((a, b) => a.seq - b.seq).map(({ at }) => at)
          expect([...offsets.subarray(starts[i], starts[i + 1])]).toEqual(rows)
        }
        expect(offsets.length).toBe(list.filter(([, mark]) => !mark).length)
      }),
    )
  })

  test('groups an empty range into no vehicle', () => {
    expect(groupByVehicle(Buffer.alloc(0), FIRST_SEQ, 1)).toEqual({ vehicleIds: [], offsets: new Uint32Array(0), starts: new Uint32Array(1) })
  })

  test('refuses a record whose seq is not of the run', () => {
    expect(() => groupByVehicle(recordsOf([['a'.repeat(20), false]], [0]), FIRST_SEQ + 1, 1)).toThrow(/is not of this run/)
  })
})

describe('counting the vehicles of a range', () => {
  test('counts each distinct vehicle id once, touch marks included, as a set of the ids would', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(vehicleId, fc.boolean()), { maxLength: 400 }), (entries) => {
        const range = recordsOf(entries)
        const ids = new Set<string>()
        for (let at = 0; at < range.length; at += recordSize(range, at)) ids.add(recordVehicle(range, at))
        expect(countDistinctVehicles(range, 0x5eed)).toBe(ids.size)
        expect(ids.size).toBe(new Set(entries.map(([id]) => id)).size)
      }),
    )
  })
})
