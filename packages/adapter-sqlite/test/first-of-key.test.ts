import { describe, expect, test } from 'vitest'
import type { DeploymentRow } from '@vehicle-perf/core'
import { FirstOfKey } from '../src/first-of-key.js'
import { writeRecord } from '../src/packed-rows.js'

const SIZE = 84
const deployment = (taskId: string): DeploymentRow => ({ kind: 'deployment', taskId, vehicleId: 'V0000000000000000001', createdAt: 1, resolvedAt: 2 })

/** Records of these keys, every one given the same key hash: the worst collision there is. */
function collidingRecords(keys: string[]): Buffer {
  const records = Buffer.alloc(keys.length * SIZE)
  keys.forEach((key, i) => {
    writeRecord(records, i * SIZE, deployment(key), i + 1, 0, i + 2)
    records.writeUInt32LE(7, i * SIZE + 12)
    records.writeUInt32LE(9, i * SIZE + 16)
  })
  return records
}

describe('first record of a key', () => {
  test('keys that share a hash are still told apart by their bytes, first one wins', () => {
    const keys = ['D0000000000000000001', 'D0000000000000000002', 'D0000000000000000001', 'D0000000000000000003', 'D0000000000000000002']
    const records = collidingRecords(keys)
    const firstOfKey = new FirstOfKey(records, SIZE)
    expect(keys.map((_key, i) => firstOfKey.firstOf(i))).toEqual([0, 1, 0, 3, 1])
    const stored = collidingRecords(['D0000000000000000003', 'D0000000000000000009'])
    expect(firstOfKey.find(stored, 0)).toBe(3)
    expect(firstOfKey.find(stored, SIZE)).toBeUndefined()
  })
})
