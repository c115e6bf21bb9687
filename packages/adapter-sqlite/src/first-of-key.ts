import { KEY, KEY_HASH_HI, KEY_HASH_LO, keyHashHi, keyHashLo, recordKey } from './packed-rows.js'

const KEY_BYTES = 20

/** A 53-bit number from a key's two 32-bit hashes: exact as a double, so a Map key without a string. */
export function hashKey(lo: number, hi: number): number {
  return lo + (hi & 0x1fffff) * 0x100000000
}

function hashKeyAt(source: Buffer, offset: number): number {
  return hashKey(source.readUInt32LE(offset + KEY_HASH_LO), source.readUInt32LE(offset + KEY_HASH_HI))
}

function sameKey(a: Buffer, aOffset: number, b: Buffer, bOffset: number): boolean {
  for (let i = KEY; i < KEY + KEY_BYTES; i++) if (a[aOffset + i] !== b[bOffset + i]) return false
  return true
}

/**
 * The first record of each key in one key partition's records (fixed size,
 * in read order), found by the records' stored key hashes; keys are compared
 * byte for byte, and two keys that share a hash are told apart by their text.
 */
export class FirstOfKey {
  private readonly byHash = new Map<number, number>()
  private readonly collided = new Map<string, number>()

  constructor(
    private readonly records: Buffer,
    private readonly size: number,
    /** The store's key seed, to hash stored keys as the records' were. */
    private readonly keySeed: number,
  ) {}

  /** The index of the first record with record `index`'s key; registers it when it is the first. */
  firstOf(index: number): number {
    const offset = index * this.size
    const hash = hashKeyAt(this.records, offset)
    const first = this.byHash.get(hash)
    if (first === undefined) {
      this.byHash.set(hash, index)
      return index
    }
    if (sameKey(this.records, first * this.size, this.records, offset)) return first
    const key = recordKey(this.records, offset)
    const other = this.collided.get(key)
    if (other !== undefined) return other
    this.collided.set(key, index)
    return index
  }

  /** Whether some key of the partition has this hash. */
  hasHash(hash: number): boolean {
    return this.byHash.has(hash)
  }

  /** The first record with this key (of kind `kindCode`, as a stored blob holds it), if any. */
  find(kindCode: number, key: string): number | undefined {
    const first = this.byHash.get(hashKey(keyHashLo(kindCode, key, this.keySeed), keyHashHi(kindCode, key, this.keySeed)))
    if (first === undefined) return undefined
    if (recordKey(this.records, first * this.size) === key) return first
    return this.collided.get(key)
  }
}
