import { recordKindCode, recordSeq, recordSize, TOUCH_MARK } from './spill-records.js'

const DIGIT_BITS = 16
const DIGITS = 1 << DIGIT_BITS

/**
 * The offsets of a vehicle range's records in ingest order, touch marks
 * first. A run's seqs are consecutive integers from its first, so the range
 * is ordered by (seq - firstSeq) with a radix sort of two 16-bit digits:
 * linear in the range, and grouping it by vehicle then gives every vehicle
 * its records in order without sorting each (a few dozen records per
 * vehicle, any number of vehicles).
 */
export function rangeInSeqOrder(records: Buffer, firstSeq: number): Uint32Array {
  let count = 0
  for (let offset = 0; offset < records.length; offset += recordSize(records, offset)) count++
  let offsets = new Uint32Array(count)
  let keys = new Uint32Array(count)
  let i = 0
  for (let offset = 0; offset < records.length; offset += recordSize(records, offset)) {
    const key = recordKindCode(records, offset) === TOUCH_MARK ? 0 : recordSeq(records, offset) - firstSeq
    if (!(key >= 0 && key < 2 ** 32)) throw new Error(`a record's seq ${recordSeq(records, offset)} is not of this run (first seq ${firstSeq})`)
    offsets[i] = offset
    keys[i] = key
    i++
  }
  let nextOffsets = new Uint32Array(count)
  let nextKeys = new Uint32Array(count)
  const starts = new Uint32Array(DIGITS)
  for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
    starts.fill(0)
    for (let j = 0; j < count; j++) starts[((keys[j] as number) >>> shift) & (DIGITS - 1)]!++
    let sum = 0
    for (let d = 0; d < DIGITS; d++) {
      const n = starts[d] as number
      starts[d] = sum
      sum += n
    }
    for (let j = 0; j < count; j++) {
      const key = keys[j] as number
      const at = starts[(key >>> shift) & (DIGITS - 1)]!++
      nextOffsets[at] = offsets[j] as number
      nextKeys[at] = key
    }
    ;[offsets, nextOffsets] = [nextOffsets, offsets]
    ;[keys, nextKeys] = [nextKeys, keys]
  }
  return offsets
}
