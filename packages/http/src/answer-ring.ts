import type { VehicleLookupResult } from '@vehicle-perf/core'

type FoundResult = VehicleLookupResult & { status: 200 }

/** Room kept per answer: a v1 body is about 2 KB. */
const BYTES_PER_ENTRY = 3072

/**
 * A found vehicle's answer as the cache keeps it: its fields, and its body
 * as a range of the ring's bytes rather than a string of its own.
 */
export class RingAnswer {
  readonly status = 200 as const
  readonly vehicleId: string
  readonly qrCode: string | null
  readonly etag: string
  readonly dataVersion: number

  constructor(
    result: FoundResult,
    private readonly ring: Buffer,
    readonly start: number,
    readonly end: number,
  ) {
    this.vehicleId = result.vehicleId
    this.qrCode = result.qrCode
    this.etag = result.etag
    this.dataVersion = result.dataVersion
  }

  get body(): string {
    return this.ring.toString('utf8', this.start, this.end)
  }

  /**
   * The body's bytes, copied: a socket that cannot take them at once holds
   * on to what it was given, and the ring will write over this range later.
   */
  bodyBytes(): Buffer {
    return Buffer.from(this.ring.subarray(this.start, this.end))
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
 * copy and promote it: scavenges of up to 14 ms stalled every request
 * behind them. Kept as bytes in a buffer allocated once, an answer leaves
 * the GC a small object to move (bench/README.md, "The answer cache and
 * the GC").
 */
export class AnswerRing {
  private readonly entries = new Map<string, RingAnswer>()
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

  get(rawKey: string): RingAnswer | undefined {
    return this.entries.get(rawKey)
  }

  /** Keeps the answer, if it fits, and returns it as kept; the answer as given when it is not kept. */
  keep(rawKey: string, result: FoundResult): VehicleLookupResult {
    // A key kept already stays where it is: the ring's order must stay the entries' order.
    if (this.maxEntries === 0 || this.entries.has(rawKey)) return result
    const length = Buffer.byteLength(result.body)
    if (length > this.ring.length / 8) return result
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
    const answer = new RingAnswer(result, this.ring, start, end)
    this.entries.set(rawKey, answer)
    if (this.entries.size > this.maxEntries) this.dropOldestWhile(() => this.entries.size > this.maxEntries)
    return answer
  }

  clear(): void {
    this.entries.clear()
    this.head = 0
  }

  private dropOldestWhile(condition: (oldest: RingAnswer) => boolean): void {
    for (const [key, answer] of this.entries) {
      if (!condition(answer)) return
      this.entries.delete(key)
    }
  }
}
