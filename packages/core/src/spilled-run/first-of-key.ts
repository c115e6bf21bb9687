import { KEY_HASH_HI, KEY_HASH_LO, keyHashHi, keyHashLo, packedKeyHashHi, packedKeyHashLo, recordHasPackedKey, recordKey, recordKeyIs, sameRecordKey } from './spill-records.js'

/**
 * The first record of each key in one key partition's records (fixed size,
 * in read order): an open-addressing table of record indexes, probed by the
 * records' stored key hashes, without a string or a boxed number per record.
 * Keys are compared byte for byte, so two keys that share their hashes are
 * two entries.
 */
export class FirstOfKey {
  private readonly mask: number
  /** Record index + 1 of each slot's first record; 0 is empty. */
  private readonly slots: Int32Array
  private readonly los: Uint32Array
  private readonly his: Uint32Array

  constructor(
    private readonly records: Buffer,
    private readonly size: number,
    /** The store's key seed, to hash stored keys as the records' were. */
    private readonly keySeed: number,
  ) {
    const count = records.length / size
    let capacity = 16
    // At most half full: short probe runs.
    while (capacity < count * 2) capacity *= 2
    this.mask = capacity - 1
    this.slots = new Int32Array(capacity)
    this.los = new Uint32Array(capacity)
    this.his = new Uint32Array(capacity)
  }

  /** The index of the first record with record `index`'s key; registers it when it is the first. */
  firstOf(index: number): number {
    const offset = index * this.size
    const lo = this.records.readUInt32LE(offset + KEY_HASH_LO)
    const hi = this.records.readUInt32LE(offset + KEY_HASH_HI)
    // The slot comes from `hi`: a partition's records share the low bits of `lo`.
    for (let slot = hi & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot] as number
      if (entry === 0) {
        this.slots[slot] = index + 1
        this.los[slot] = lo
        this.his[slot] = hi
        return index
      }
      if (this.los[slot] === lo && this.his[slot] === hi && sameRecordKey(this.records, (entry - 1) * this.size, this.records, offset)) return entry - 1
    }
  }

  /** Whether some key of the partition has these hashes. */
  hasHash(lo: number, hi: number): boolean {
    for (let slot = hi & this.mask; ; slot = (slot + 1) & this.mask) {
      if (this.slots[slot] === 0) return false
      if (this.los[slot] === lo && this.his[slot] === hi) return true
    }
  }

  /** The first record with this key (of kind `kindCode`), if any: for a store that looks keys up by text (`keys()`). */
  find(kindCode: number, key: string): number | undefined {
    const lo = keyHashLo(kindCode, key, this.keySeed)
    const hi = keyHashHi(kindCode, key, this.keySeed)
    for (let slot = hi & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot] as number
      if (entry === 0) return undefined
      if (this.los[slot] === lo && this.his[slot] === hi && recordKeyIs(this.records, (entry - 1) * this.size, key)) return entry - 1
    }
  }

  /**
   * The first record with the key of the packed row at `at` of `packed` (a
   * stored blob's, of kind `kindCode`), if any: hashed and compared as bytes,
   * no string, and the second hash only computed when the first matches (a
   * run that repeats stored keys checks every row of their blobs: at scale
   * 10, 30M rows).
   */
  findPacked(kindCode: number, packed: Buffer, at: number): number | undefined {
    const hi = packedKeyHashHi(kindCode, packed, at, this.keySeed)
    let lo = -1
    for (let slot = hi & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot] as number
      if (entry === 0) return undefined
      if (this.his[slot] !== hi) continue
      if (lo === -1) lo = packedKeyHashLo(kindCode, packed, at, this.keySeed)
      if (this.los[slot] === lo && recordHasPackedKey(this.records, (entry - 1) * this.size, packed, at)) return entry - 1
    }
  }

  /** The distinct keys registered so far (one per first record), for a store that looks them up by text. */
  keys(): string[] {
    const keys: string[] = []
    for (const entry of this.slots) if (entry !== 0) keys.push(recordKey(this.records, (entry - 1) * this.size))
    return keys
  }
}
