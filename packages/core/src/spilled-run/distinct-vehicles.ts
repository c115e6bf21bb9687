import { seededHashOfBytes } from '../seeded-hash.js'
import { ID_BYTES, recordSize, sameId, VEHICLE } from './spill-records.js'

/**
 * How many distinct vehicles a vehicle range's records name (touch marks
 * included): an open-addressing table of record offsets probed by a hash of
 * the id bytes, compared byte for byte, without a string per record. It
 * counts the refresh's progress total before the refresh, over every range
 * (at scale 100, 11M records). The hash is seeded with the store's secret
 * key seed: with a known seed, a file could name vehicles whose ids all
 * probe one run of slots, and the count would take quadratic time.
 */
export function countDistinctVehicles(records: Buffer, seed: number): number {
  let count = 0
  for (let offset = 0; offset < records.length; offset += recordSize(records, offset)) count++
  let capacity = 16
  // At most half full: short probe runs.
  while (capacity < count * 2) capacity *= 2
  const mask = capacity - 1
  // Offset + 1 of the first record of each vehicle; 0 is empty.
  const slots = new Uint32Array(capacity)
  let distinct = 0
  for (let offset = 0; offset < records.length; offset += recordSize(records, offset)) {
    const h = seededHashOfBytes(records, offset + VEHICLE, offset + VEHICLE + ID_BYTES, seed)
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot] as number
      if (entry === 0) {
        slots[slot] = offset + 1
        distinct++
        break
      }
      if (sameId(records, entry - 1 + VEHICLE, records, offset + VEHICLE)) break
    }
  }
  return distinct
}
