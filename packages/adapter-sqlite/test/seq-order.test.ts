import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { inSeqOrder } from '../src/seq-order.js'
import { RECORD_SIZES, recordSeq, writeRecord, writeTouchMark } from '../src/packed-rows.js'

const SIZE = RECORD_SIZES[0] as number

describe("a vehicle's new records in ingest order", () => {
  test('come sorted by seq without touch marks, for few records and for many', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 120 }), fc.array(fc.boolean(), { maxLength: 120 }), (seqs, marks) => {
        const records = Buffer.alloc((seqs.length + marks.length) * SIZE)
        const offsets: number[] = []
        let offset = 0
        seqs.forEach((seq, i) => {
          if (marks[i] === true) {
            writeTouchMark(records, offset, 'V0000000000000000001')
            offsets.push(offset)
            offset += SIZE
          }
          writeRecord(records, offset, { kind: 'deployment', taskId: `D${String(seq).padStart(19, '0')}`, vehicleId: 'V0000000000000000001', createdAt: 1, resolvedAt: 2 }, seq, 0, 1, 0)
          offsets.push(offset)
          offset += SIZE
        })
        const sorted = inSeqOrder(records, offsets)
        expect(sorted.map((at) => recordSeq(records, at))).toEqual([...seqs].sort((a, b) => a - b))
      }),
    )
  })
})
