import { randomInt } from 'node:crypto'
import { ID_BYTES } from './spill-records.js'

// Vehicle partitions are ranges of vehicle ids, cut at quantiles of a sample
// of the run's rows: read partition by partition, each sorted, a run stores
// its vehicles in id order. Every table keyed by vehicle id (views, claims,
// the blob index) is then written at its right edge instead of at random
// pages (at scale 100, random order doubled the cost of those writes: their
// B-trees outgrow the page cache).

const SAMPLE_SIZE = 4096

/**
 * A fixed-size uniform sample of the vehicle ids staged (reservoir sampling).
 * Its random stream starts at a random seed, so no file can know which of
 * its rows are sampled and skew the cut points.
 */
export class VehicleSample {
  private readonly ids: string[] = []
  private seen = 0
  private random = randomInt(1, 2 ** 32)

  add(vehicleId: string): void {
    this.seen++
    if (this.ids.length < SAMPLE_SIZE) {
      this.ids.push(ownCopy(vehicleId))
      return
    }
    // xorshift32: a cheap stream; the cut points need no better.
    this.random ^= this.random << 13
    this.random ^= this.random >>> 17
    this.random ^= this.random << 5
    const slot = (this.random >>> 0) % this.seen
    if (slot < SAMPLE_SIZE) this.ids[slot] = ownCopy(vehicleId)
  }

  get size(): number {
    return this.ids.length
  }

  /** Up to `partitions - 1` sorted, distinct cut points. */
  boundaries(partitions: number): string[] {
    return cutPoints([...this.ids].sort(), partitions)
  }
}

/** Cut points that split sorted ids into `partitions` ranges of about equal size. */
export function cutPoints(sortedIds: readonly string[], partitions: number): string[] {
  const cuts: string[] = []
  for (let p = 1; p < partitions; p++) {
    const id = sortedIds[Math.floor((p * sortedIds.length) / partitions)]
    if (id !== undefined && (cuts.length === 0 || id > (cuts[cuts.length - 1] as string))) cuts.push(id)
  }
  return cuts
}

/**
 * A parsed id is a slice of the CSV chunk it was read from, and keeps the
 * whole chunk alive: a sample of 4,096 of them held ~270 MB of chunks
 * (measured). A copy holds 20 characters.
 */
function ownCopy(id: string): string {
  return Buffer.from(id, 'latin1').toString('latin1')
}

/**
 * The range a vehicle id falls in: how many cut points are <= it. Looked up
 * from the id's bytes in a record, without making a string of it (settling
 * keys looks up a range for every new row): the cut points are kept as
 * bytes and compared byte by byte (ASCII byte order is string order).
 */
export class VehicleRanges {
  private readonly cutBytes: Buffer
  private readonly count: number
  private readonly scratch = Buffer.alloc(ID_BYTES)

  constructor(readonly cuts: readonly string[]) {
    this.count = cuts.length
    this.cutBytes = Buffer.alloc(cuts.length * ID_BYTES)
    cuts.forEach((cut, i) => {
      if (cut.length !== ID_BYTES) throw new Error(`a vehicle id of ${cut.length} characters`)
      this.cutBytes.write(cut, i * ID_BYTES, ID_BYTES, 'latin1')
    })
  }

  /** The range of a vehicle id given as a string. */
  rangeOf(vehicleId: string): number {
    this.scratch.write(vehicleId, 0, ID_BYTES, 'latin1')
    return this.rangeAt(this.scratch, 0)
  }

  /** The range of the vehicle id at `at` of `bytes` (20 ASCII bytes). */
  rangeAt(bytes: Buffer, at: number): number {
    let low = 0
    let high = this.count
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.cutAtMostId(mid, bytes, at)) low = mid + 1
      else high = mid
    }
    return low
  }

  /** Whether cut `index` <= the id at `at` of `bytes`. */
  private cutAtMostId(index: number, bytes: Buffer, at: number): boolean {
    const base = index * ID_BYTES
    for (let i = 0; i < ID_BYTES; i++) {
      const cut = this.cutBytes[base + i] as number
      const id = bytes[at + i] as number
      if (cut !== id) return cut < id
    }
    return true
  }
}
