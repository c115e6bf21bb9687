import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { DeploymentRow } from '@vehicle-perf/core'
import { packRow } from '../src/rows/packed-rows.js'
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

  test('a stored packed row is found by its key bytes as by its text, also when another key of the run has its hash', () => {
    const firstOfKey = new FirstOfKey(records([[key(1), key(9)], [key(9), key(9)], [key(5), key(5)]]), SIZE, SEED)
    ;[0, 1, 2].forEach((i) => firstOfKey.firstOf(i))
    // Key 9's bytes match record 1, not record 0 (key 1, forged to key 9's hash); key 1 under its own hash is not there, as find says.
    expect([9, 5, 7, 1].map((n) => firstOfKey.findPacked(0, packed(key(n)), 0))).toEqual([1, 2, undefined, undefined])
    expect([9, 5, 7, 1].map((n) => firstOfKey.find(0, key(n)))).toEqual([1, 2, undefined, undefined])
    const lone = new FirstOfKey(records([[key(1), key(9)]]), SIZE, SEED)
    lone.firstOf(0)
    expect(lone.findPacked(0, packed(key(9)), 0)).toBeUndefined()
  })

  test('findPacked answers what find answers, for any staged and stored keys', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 30 }), (staged, stored) => {
        const firstOfKey = new FirstOfKey(records(staged.map((n) => [key(n), key(n)])), SIZE, SEED)
        staged.forEach((_n, i) => firstOfKey.firstOf(i))
        for (const n of stored) expect(firstOfKey.findPacked(0, packed(key(n)), 0)).toBe(firstOfKey.find(0, key(n)))
      }),
    )
  })
})

/** A stored deployment with this key, as a blob holds it. */
function packed(taskId: string): Buffer {
  const bytes = Buffer.alloc(48)
  packRow(bytes, 0, deployment(taskId), 1)
  return bytes
}
