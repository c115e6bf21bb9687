import { describe, expect, test } from 'vitest'
import { keyHashLo } from '../src/spilled-run/spill-records.js'
import { KEY_PARTITIONS } from '../src/spilled-run/run-spill.js'

describe('key hashes', () => {
  test('ids crafted to share FNV-1a low bits ("0" and "p" differ by 64) still spread over every partition', () => {
    // 4,096 ride ids: 12 positions, each "0" or "p".
    const keys = Array.from({ length: 4096 }, (_, n) => `r${Array.from({ length: 12 }, (_, bit) => ((n >> bit) & 1 ? 'p' : '0')).join('')}AAAAAAA`)
    for (const seed of [0, 1, 0x5eed, 0xffffffff]) {
      const sizes = new Array<number>(KEY_PARTITIONS).fill(0)
      for (const key of keys) {
        const part = keyHashLo(2, key, seed) & (KEY_PARTITIONS - 1)
        sizes[part] = (sizes[part] as number) + 1
      }
      // 64 a partition on average; a crafted set must not pile up anywhere.
      expect(Math.max(...sizes)).toBeLessThan(3 * (keys.length / KEY_PARTITIONS))
      expect(Math.min(...sizes)).toBeGreaterThan(0)
    }
  })

  test('the seed changes the hash: stores do not share partitions', () => {
    expect(keyHashLo(2, 'r0000000000000000001', 1)).not.toBe(keyHashLo(2, 'r0000000000000000001', 2))
  })
})
