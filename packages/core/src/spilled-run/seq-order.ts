import { recordSeq } from './spill-records.js'

const DIGIT_BITS = 16
const DIGITS = 1 << DIGIT_BITS

/**
 * A row record's place in its run: seq - firstSeq. A run's seqs are
 * consecutive integers from its first, so a vehicle range sorts by it with a
 * radix sort (sortByKeys), linear in the range.
 */
export function seqKey(records: Buffer, offset: number, firstSeq: number): number {
  const key = recordSeq(records, offset) - firstSeq
  if (!(key >= 0 && key < 2 ** 32)) throw new Error(`a record's seq ${recordSeq(records, offset)} is not of this run (first seq ${firstSeq})`)
  return key
}

/**
 * `values` ordered by their `keys` (ascending, stable): a radix sort of two
 * 16-bit digits, linear in the count. Both arrays are reused.
 */
export function sortByKeys(keys: Uint32Array, values: Uint32Array): Uint32Array {
  const count = keys.length
  let nextValues: Uint32Array = new Uint32Array(count)
  let nextKeys: Uint32Array = new Uint32Array(count)
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
      nextValues[at] = values[j] as number
      nextKeys[at] = key
    }
    ;[values, nextValues] = [nextValues, values]
    ;[keys, nextKeys] = [nextKeys, keys]
  }
  return values
}
