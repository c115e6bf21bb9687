import { seededHashOfBytes } from '../seeded-hash.js'
import { seqKey, sortByKeys } from './seq-order.js'
import { ID_BYTES, recordKindCode, recordSize, recordVehicle, sameId, TOUCH_MARK, VEHICLE } from './spill-records.js'

/**
 * The distinct vehicles of spilled records, numbered 0, 1, ... in the order
 * they first come: an open-addressing table probed by a hash of the id
 * bytes, compared byte for byte, without a string per record (a vehicle
 * range at scale 100 holds about 170k records of a few thousand vehicles).
 * The hash is seeded with the store's secret key seed: with a known seed, a
 * file could name vehicles whose ids all probe one run of slots, and the
 * table would take quadratic time.
 */
class VehicleNumbers {
  private readonly mask: number
  /** Vehicle number + 1 of each slot; 0 is empty. */
  private readonly slots: Int32Array
  /** The offset of each vehicle's first record. */
  readonly firstOffsets: Uint32Array
  size = 0

  constructor(
    private readonly records: Buffer,
    /** At most this many distinct vehicles (the record count). */
    most: number,
    private readonly seed: number,
  ) {
    let capacity = 16
    // At most half full: short probe runs.
    while (capacity < most * 2) capacity *= 2
    this.mask = capacity - 1
    this.slots = new Int32Array(capacity)
    this.firstOffsets = new Uint32Array(Math.max(most, 1))
  }

  /** The number of the vehicle of the record at `offset` (a new one when first seen). */
  numberOf(offset: number): number {
    const { records } = this
    const at = offset + VEHICLE
    const h = seededHashOfBytes(records, at, at + ID_BYTES, this.seed)
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot] as number
      if (entry === 0) {
        const vehicle = this.size++
        this.slots[slot] = vehicle + 1
        this.firstOffsets[vehicle] = offset
        return vehicle
      }
      if (sameId(records, (this.firstOffsets[entry - 1] as number) + VEHICLE, records, at)) return entry - 1
    }
  }
}

function recordCount(records: Buffer): number {
  let count = 0
  for (let offset = 0; offset < records.length; offset += recordSize(records, offset)) count++
  return count
}

/**
 * How many distinct vehicles a vehicle range's records name (touch marks
 * included): the refresh's progress total, counted before the refresh over
 * every range.
 */
export function countDistinctVehicles(records: Buffer, seed: number): number {
  const numbers = new VehicleNumbers(records, recordCount(records), seed)
  for (let offset = 0; offset < records.length; offset += recordSize(records, offset)) numbers.numberOf(offset)
  return numbers.size
}

/** A vehicle range's records grouped by vehicle: what the refresh reads it as. */
export interface VehicleGroups {
  /** The range's vehicles (touch marks included), in id order. */
  vehicleIds: string[]
  /** The offsets of the range's row records (no touch mark), vehicle after vehicle in `vehicleIds` order, each vehicle's in seq order. */
  offsets: Uint32Array
  /** Vehicle i's offsets are offsets[starts[i], starts[i + 1]). */
  starts: Uint32Array
}

/**
 * Groups a vehicle range's records by vehicle, each vehicle's in seq order
 * (ingest order), the vehicles in id order. The records are read once, in
 * the order they lie (they were spilled in key order, so reading them in seq
 * order would miss the cache on nearly every one); the seq sort and the
 * grouping then move only record numbers. Only the distinct vehicles become
 * strings, to be put in id order.
 */
export function groupByVehicle(records: Buffer, firstSeq: number, seed: number): VehicleGroups {
  const most = recordCount(records)
  const numbers = new VehicleNumbers(records, most, seed)
  const offsetOf = new Uint32Array(most)
  const vehicleOf = new Uint32Array(most)
  const seqKeys = new Uint32Array(most)
  const rowCounts = new Uint32Array(most)
  let rows = 0
  for (let offset = 0; offset < records.length; offset += recordSize(records, offset)) {
    const vehicle = numbers.numberOf(offset)
    // A touch mark only names its vehicle.
    if (recordKindCode(records, offset) === TOUCH_MARK) continue
    offsetOf[rows] = offset
    vehicleOf[rows] = vehicle
    seqKeys[rows] = seqKey(records, offset, firstSeq)
    rowCounts[vehicle]!++
    rows++
  }
  const inSeqOrder = sortByKeys(seqKeys.subarray(0, rows), Uint32Array.from({ length: rows }, (_, row) => row))
  const vehicles = numbers.size
  const ids = new Array<string>(vehicles)
  for (let v = 0; v < vehicles; v++) ids[v] = recordVehicle(records, numbers.firstOffsets[v] as number)
  const byId = Array.from({ length: vehicles }, (_, v) => v).sort((a, b) => {
    const x = ids[a] as string
    const y = ids[b] as string
    return x < y ? -1 : x > y ? 1 : 0
  })
  // Where each vehicle's offsets start: by its number (moved on as they are placed), and in id order.
  const nextOf = new Uint32Array(vehicles)
  const starts = new Uint32Array(vehicles + 1)
  let sum = 0
  for (const [rank, vehicle] of byId.entries()) {
    starts[rank] = sum
    nextOf[vehicle] = sum
    sum += rowCounts[vehicle] as number
  }
  starts[vehicles] = sum
  const offsets = new Uint32Array(rows)
  for (const row of inSeqOrder) offsets[nextOf[vehicleOf[row] as number]!++] = offsetOf[row] as number
  return { vehicleIds: byId.map((vehicle) => ids[vehicle] as string), offsets, starts }
}
