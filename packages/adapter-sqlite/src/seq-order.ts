import { recordKindCode, recordSeq, TOUCH_MARK } from './packed-rows.js'

const INSERTION_SORT_MAX = 32

/**
 * A vehicle's new records (touch marks left out) in ingest order. A vehicle
 * has a few dozen per run, spread over the key partitions they came from:
 * those are sorted by insertion, without a comparator closure; a vehicle
 * with more (any input can have one vehicle with millions of rows) by a
 * regular sort of its seqs.
 */
export function inSeqOrder(records: Buffer, offsets: readonly number[]): number[] {
  const sorted: number[] = []
  const seqs: number[] = []
  for (const offset of offsets) {
    if (recordKindCode(records, offset) === TOUCH_MARK) continue
    sorted.push(offset)
    seqs.push(recordSeq(records, offset))
  }
  if (sorted.length > INSERTION_SORT_MAX) {
    const order = Array.from(sorted.keys()).sort((a, b) => (seqs[a] as number) - (seqs[b] as number))
    return order.map((i) => sorted[i] as number)
  }
  for (let j = 1; j < sorted.length; j++) {
    const offset = sorted[j] as number
    const seq = seqs[j] as number
    let i = j
    while (i > 0 && (seqs[i - 1] as number) > seq) {
      sorted[i] = sorted[i - 1] as number
      seqs[i] = seqs[i - 1] as number
      i--
    }
    sorted[i] = offset
    seqs[i] = seq
  }
  return sorted
}
