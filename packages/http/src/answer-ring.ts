import type { VehicleLookupResult } from '@vehicle-perf/core'

type FoundResult = VehicleLookupResult & { status: 200 }

/** Room kept per answer: a v1 body is about 2 KB. */
const BYTES_PER_ENTRY = 3072

/** Where a kept answer's body lies in the ring, with the rest of the answer. */
interface RingEntry {
  vehicleId: string
  qrCode: string | null
  etag: string
  dataVersion: number
  start: number
  end: number
}

/**
 * A kept answer as the cache hands it out: plain data, like any lookup
 * result (a host may spread it or serialise it), with a copy of the body's
 * bytes taken when asked for. Nothing handed out points into the ring,
 * which writes over old ranges: whoever holds an answer may read it later
 * (the report page reads the body after another store read), and a socket
 * that cannot take the bytes at once holds on to what it was given.
 */
export class CopiedAnswer {
  readonly status = 200 as const
  readonly vehicleId: string
  readonly qrCode: string | null
  readonly body: string
  readonly etag: string
  readonly dataVersion: number

  constructor(
    entry: RingEntry,
    readonly bytes: Buffer,
  ) {
    this.vehicleId = entry.vehicleId
    this.qrCode = entry.qrCode
    this.body = bytes.toString('utf8')
    this.etag = entry.etag
    this.dataVersion = entry.dataVersion
  }
}

/**
 * The lookup cache's answers by raw key, at most `maxEntries`, their bodies
 * written one after another into one preallocated ring of bytes; the
 * oldest go first, to make room in the ring or under the count.
 *
 * Why a ring: with uniform keys over a large fleet nearly every answer is
 * evicted before it is asked again, and each kept answer (a ~2 KB string
 * and its encoded bytes) lived long enough for the young-generation GC to
 * copy and promote it: scavenges of up to 15 ms stalled every request
 * behind them. Kept as bytes in a buffer allocated once, an answer leaves
 * the GC a small object to move, and a hit a copy that dies young
 * (bench/README.md, "The answer cache and the GC").
 */
export class AnswerRing {
  private readonly entries = new Map<string, RingEntry>()
  private readonly ring: Buffer
  /** Where the next body is written. */
  private head = 0

  constructor(
    private readonly maxEntries: number,
    ringBytes = Math.max(1, maxEntries) * BYTES_PER_ENTRY,
  ) {
    this.ring = Buffer.allocUnsafeSlow(ringBytes)
  }

  get size(): number {
    return this.entries.size
  }

  /** The kept answer of the key, its bytes copied out of the ring. */
  get(rawKey: string): CopiedAnswer | undefined {
    const entry = this.entries.get(rawKey)
    return entry === undefined ? undefined : new CopiedAnswer(entry, Buffer.from(this.ring.subarray(entry.start, entry.end)))
  }

  /** Keeps a copy of the answer, if it fits (an eighth of the ring at most). */
  keep(rawKey: string, result: FoundResult): void {
    // A key kept already stays where it is: the ring's order must stay the entries' order.
    if (this.maxEntries === 0 || this.entries.has(rawKey)) return
    const length = Buffer.byteLength(result.body)
    if (length > this.ring.length / 8) return
    if (this.head + length > this.ring.length) {
      // The ring's tail is given up: its answers are the oldest, at the front of the entries.
      this.dropOldestWhile((oldest) => oldest.start >= this.head)
      this.head = 0
    }
    const start = this.head
    const end = start + length
    // Live answers run, oldest first, from just after `head` round to just before it.
    this.dropOldestWhile((oldest) => oldest.start < end && oldest.end > start)
    this.ring.write(result.body, start, length, 'utf8')
    this.head = end
    this.entries.set(rawKey, { vehicleId: result.vehicleId, qrCode: result.qrCode, etag: result.etag, dataVersion: result.dataVersion, start, end })
    if (this.entries.size > this.maxEntries) this.dropOldestWhile(() => this.entries.size > this.maxEntries)
  }

  clear(): void {
    this.entries.clear()
    this.head = 0
  }

  private dropOldestWhile(condition: (oldest: RingEntry) => boolean): void {
    for (const [key, entry] of this.entries) {
      if (!condition(entry)) return
      this.entries.delete(key)
    }
  }
}
