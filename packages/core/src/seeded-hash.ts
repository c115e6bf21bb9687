// The SDK's one non-cryptographic hash: FNV-1a from a seeded basis, then
// murmur3's finaliser, so that every output bit depends on every input
// character. Stores and servers use it for partitions, hash tables and
// filters; with a secret seed, no input can aim its keys at one bucket
// (plain FNV-1a keeps ids that differ by 64 in a character, "0" and "p",
// in the same low bits). Different seeds give hashes independent enough to
// use as two halves of a 64-bit one.

const FNV_PRIME = 0x01000193
const FNV_BASIS = 0x811c9dc5

function finalMix(value: number): number {
  let h = value ^ (value >>> 16)
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

function basis(seed: number): number {
  return (FNV_BASIS ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0
}

/** A 32-bit hash of a string's UTF-16 code units. */
export function seededHash(text: string, seed: number): number {
  let h = basis(seed)
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME)
  return finalMix(h)
}

/** The same hash of bytes [start, end) of `bytes`: equal to seededHash of their latin1 text. */
export function seededHashOfBytes(bytes: Uint8Array, start: number, end: number, seed: number): number {
  let h = basis(seed)
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME)
  return finalMix(h)
}
