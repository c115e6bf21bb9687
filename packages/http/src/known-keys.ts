import { seededHash, type StorageAdapter, type VehicleKey } from '@vehicle-perf/core'

const PROBES = 7
const BITS_PER_KEY = 10 // with 7 probes: about 1% false positives

/** Core's seeded hash of the key, seeded by its type: a vehicle id and a QR code of the same text hash apart. */
function hashOf(key: VehicleKey): number {
  return seededHash(key.value, key.type === 'vehicle_id' ? 1 : 2)
}

/**
 * The second hash of double hashing: the first rotated by half (its high
 * bits, which the table's mask leaves out, pick the step), odd so that
 * probes cycle the whole table.
 */
function stepOf(hash: number): number {
  return (((hash >>> 16) | (hash << 16)) | 1) >>> 0
}

/**
 * A Bloom filter of every key a store's lookups find, at one data version.
 * "Absent" is certain, so an unknown key is answered 404 without a store
 * read; "maybe" goes to the store. About 10 bits per key: 1 MB for the
 * 840,000 keys of 420,000 vehicles. Unlike caching 404s, it stays useful
 * when clients send endless distinct unknown keys.
 */
export class KnownKeys {
  private constructor(
    private readonly bits: Uint32Array,
    private readonly mask: number,
    readonly dataVersion: number,
  ) {}

  /** Reads every key of the store; null when an ingest changed the data meanwhile (load again for the new version). */
  static async load(adapter: StorageAdapter, chunkSize = 10_000): Promise<KnownKeys | null> {
    const before = (await adapter.meta()).dataVersion
    let hashes = new Uint32Array(1 << 16)
    let count = 0
    for await (const chunk of adapter.listKeys(chunkSize)) {
      if (chunk.dataVersion !== before) return null
      if (count + chunk.keys.length > hashes.length) {
        const grown = new Uint32Array(Math.max(hashes.length * 2, count + chunk.keys.length))
        grown.set(hashes.subarray(0, count))
        hashes = grown
      }
      for (const key of chunk.keys) hashes[count++] = hashOf(key)
    }
    if ((await adapter.meta()).dataVersion !== before) return null
    return KnownKeys.fromHashes(hashes.subarray(0, count), before)
  }

  /** A filter of these keys (for a store listing, use load). */
  static fromKeys(keys: readonly VehicleKey[], dataVersion: number): KnownKeys {
    return KnownKeys.fromHashes(Uint32Array.from(keys, hashOf), dataVersion)
  }

  private static fromHashes(hashes: Uint32Array, dataVersion: number): KnownKeys {
    let size = 1 << 10
    while (size < hashes.length * BITS_PER_KEY) size *= 2
    const filter = new KnownKeys(new Uint32Array(size / 32), size - 1, dataVersion)
    for (const hash of hashes) filter.add(hash)
    return filter
  }

  private add(hash: number): void {
    const step = stepOf(hash)
    for (let i = 0, slot = hash; i < PROBES; i++, slot = (slot + step) >>> 0) {
      const bit = slot & this.mask
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31))
    }
  }

  /** False only when no stored vehicle has this key. */
  mayHave(key: VehicleKey): boolean {
    const hash = hashOf(key)
    const step = stepOf(hash)
    for (let i = 0, slot = hash; i < PROBES; i++, slot = (slot + step) >>> 0) {
      const bit = slot & this.mask
      if (((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false
    }
    return true
  }
}
