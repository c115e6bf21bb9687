/** mulberry32: small, fast, deterministic; plenty for synthetic data. */
export class Random {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  between(low: number, high: number): number {
    return low + (high - low) * this.next()
  }
  int(low: number, highInclusive: number): number {
    return low + Math.floor(this.next() * (highInclusive - low + 1))
  }
  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability
  }
  poisson(mean: number): number {
    const limit = Math.exp(-mean)
    let k = 0
    let p = this.next()
    while (p > limit) {
      k++
      p *= this.next()
    }
    return k
  }
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next())
  }
}

/** A seed for one stream of a run: vehicles draw independently, so output is the same whatever the chunking. */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const BASE36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** A bijection on 31-bit integers, so distinct counters give distinct, random-looking codes. */
function scramble31(value: number): number {
  let x = (value + 0x2545f491) & 0x7fffffff
  x = Math.imul(x, 0x2c1b3c6d) & 0x7fffffff
  x ^= x >>> 12
  x = Math.imul(x, 0x297a2d39) & 0x7fffffff
  x ^= x >>> 15
  return x
}

function encode(value: number, alphabet: string, width: number): string {
  let out = ''
  for (let i = 0; i < width; i++) {
    out = (alphabet[value % alphabet.length] as string) + out
    value = Math.floor(value / alphabet.length)
  }
  return out
}

/**
 * A unique 20-character id: a namespace letter, the scrambled counter (unique
 * by construction) and random filler for the look of the real ids.
 */
export function makeId(namespace: string, counter: number, random: Random): string {
  let filler = ''
  for (let i = 0; i < 13; i++) filler += BASE62[Math.floor(random.next() * 62)]
  return namespace + encode(scramble31(counter), BASE62, 6) + filler
}

/** A unique upper-case 6-character QR code (36^6 > 2^31). */
export function makeQrCode(counter: number): string {
  return encode(scramble31(counter), BASE36, 6)
}
