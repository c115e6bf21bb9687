import { describe, expect, test } from 'vitest'
import type { DeploymentRow } from '@vehicle-perf/core'
import { FirstOfKey } from '../src/spilled-run/first-of-key.js'
import { KEY_HASH_HI, KEY_HASH_LO, keyHashHi, keyHashLo, writeRecord } from '../src/spilled-run/spill-records.js'

const SIZE = 84
const SEED = 0x5eed
const key = (n: number): string => `D${String(n).padStart(19, '0')}`
const deployment = (taskId: string): DeploymentRow => ({ kind: 'deployment', taskId, vehicleId: 'V0000000000000000001', createdAt: 1, resolvedAt: 2 })

/** Spilled records of [key, key whose hash it is given]: forged hashes make two keys collide. */
function records(rows: [string, string][]): Buffer {
  const bytes = Buffer.alloc(rows.length * SIZE)
  rows.forEach(([taskId, hashOf], i) => {
    writeRecord(bytes, i * SIZE, deployment(taskId), i + 1, 0, i + 2, SEED)
    bytes.writeUInt32LE(keyHashLo(0, hashOf, SEED), i * SIZE + KEY_HASH_LO)
    bytes.writeUInt32LE(keyHashHi(0, hashOf, SEED), i * SIZE + KEY_HASH_HI)
  })
  return bytes
}

describe('first record of a key', () => {
  test('keys that share a hash are still told apart by their bytes, and the first of each wins', () => {
    const rows: [string, string][] = [[key(1), key(1)], [key(2), key(1)], [key(1), key(1)], [key(3), key(1)], [key(2), key(1)]]
    const firstOfKey = new FirstOfKey(records(rows), SIZE, SEED)
    expect(rows.map((_row, i) => firstOfKey.firstOf(i))).toEqual([0, 1, 0, 3, 1])
  })

  test('a stored key is found by its hash and confirmed by its text, also when another key of the run has its hash', () => {
    // Key 1 is forged to key 9's hash; key 9 comes later with its own (the same) hash.
    const firstOfKey = new FirstOfKey(records([[key(1), key(9)], [key(9), key(9)], [key(5), key(5)]]), SIZE, SEED)
    expect([0, 1, 2].map((i) => firstOfKey.firstOf(i))).toEqual([0, 1, 2])
    expect(firstOfKey.find(0, key(9))).toBe(1)
    expect(firstOfKey.find(0, key(5))).toBe(2)
    expect(firstOfKey.find(0, key(7))).toBeUndefined()
    const lone = new FirstOfKey(records([[key(1), key(9)]]), SIZE, SEED)
    lone.firstOf(0)
    expect(lone.find(0, key(9))).toBeUndefined()
  })
})
