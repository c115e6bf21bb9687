import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { rangeInSeqOrder } from '../src/spilled-run/seq-order.js'
import { RECORD_SIZES, recordKindCode, recordSeq, writeRecord, writeTouchMark, TOUCH_MARK } from '../src/spilled-run/spill-records.js'

const FIRST_SEQ = 2 ** 40

describe("a vehicle range's records in ingest order", () => {
  test('come sorted by seq, touch marks first, whatever order they were spilled in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 300 }), fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 300 }), fc.nat(5), (seqs, kinds, marks) => {
        const records = Buffer.alloc(seqs.length * 124 + marks * 40)
        let offset = 0
        for (let m = 0; m < marks; m++) {
          writeTouchMark(records, offset, 'V0000000000000000001')
          offset += RECORD_SIZES[3] as number
        }
        seqs.forEach((seq, i) => {
          const kind = kinds[i] ?? 2
          const base = { vehicleId: 'V0000000000000000001' }
          const row =
            kind === 0
              ? { ...base, kind: 'deployment' as const, taskId: `D${String(i).padStart(19, '0')}`, createdAt: 1, resolvedAt: 2 }
              : kind === 1
                ? { ...base, kind: 'pickup' as const, taskId: `P${String(i).padStart(19, '0')}`, qrCode: 'ABC123', createdAt: 1, resolvedAt: 2 }
                : { ...base, kind: 'ride' as const, rideId: `R${String(i).padStart(19, '0')}`, startedAt: 1, endedAt: 2, start: null, end: null, amountCents: null }
          writeRecord(records, offset, row, FIRST_SEQ + seq, 0, 1, 0)
          offset += RECORD_SIZES[kind] as number
        })
        const ordered = [...rangeInSeqOrder(records.subarray(0, offset), FIRST_SEQ)]
        const marked = ordered.filter((at) => recordKindCode(records, at) === TOUCH_MARK)
        expect(marked.length).toBe(marks)
        expect(ordered.slice(0, marks)).toEqual(marked)
        expect(ordered.slice(marks).map((at) => recordSeq(records, at) - FIRST_SEQ)).toEqual([...seqs].sort((a, b) => a - b))
      }),
    )
  })

  test('refuses a record whose seq is not of the run', () => {
    const records = Buffer.alloc(84)
    writeRecord(records, 0, { kind: 'deployment', taskId: 'D0000000000000000001', vehicleId: 'V0000000000000000001', createdAt: 1, resolvedAt: 2 }, 5, 0, 1, 0)
    expect(() => rangeInSeqOrder(records, 10)).toThrow(/seq 5 is not of this run/)
  })
})
