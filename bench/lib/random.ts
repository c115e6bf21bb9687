/** Deterministic picks for request mixes (mulberry32). */
export class Random {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  int(low: number, high: number): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return low + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * (high - low + 1))
  }
}
