import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { DeploymentRow } from '@vehicle-perf/core'
import { packRow } from '../src/rows/packed-rows.js'
import { FirstOfKey } from '../src/spilled-run/first-of-key.js'
import { candidateBlobIds, KEY_ENTRIES_PER_BLOB, KEY_ENTRY_BYTES, KeyIndexWriter, storedVersionsInBlobs, type VehicleBlob } from '../src/spilled-run/key-index.js'
import { KEY_PARTITIONS, keyPartOf } from '../src/spilled-run/run-spill.js'
import { keyHashHi, keyHashLo, writeRecord } from '../src/spilled-run/spill-records.js'

const SIZE = 84
const SEED = 0x5eed
const key = (n: number): string => `D${String(n).padStart(19, '0')}`
const vehicle = (n: number): string => `V${String(n).padStart(19, '0')}`
const deployment = (taskId: string, vehicleId: string): DeploymentRow => ({ kind: 'deployment', taskId, vehicleId, createdAt: 1, resolvedAt: 2 })

/** A run's spilled deployment records of these keys, as the key partition a run settles. */
function staged(keys: readonly string[]): FirstOfKey {
  const records = Buffer.alloc(keys.length * SIZE)
  keys.forEach((taskId, i) => writeRecord(records, i * SIZE, deployment(taskId, vehicle(0)), i + 1, 0, i + 2, SEED))
  const firstOfKey = new FirstOfKey(records, SIZE, SEED)
  keys.forEach((_key, i) => firstOfKey.firstOf(i))
  return firstOfKey
}

/** A store of blobs, one per vehicle, each with its keys' rows; its key index as the writer hands it over. */
function store(blobs: readonly (readonly string[])[]): { byId: Map<number, VehicleBlob>; parts: Map<number, Buffer[]> } {
  const parts = new Map<number, Buffer[]>()
  const writer = new KeyIndexWriter((part, entries) => parts.set(part, [...(parts.get(part) ?? []), Buffer.from(entries)]))
  const byId = new Map<number, VehicleBlob>()
  blobs.forEach((keys, b) => {
    const id = b + 1
    const records = Buffer.alloc(keys.length * 48)
    keys.forEach((taskId, i) => packRow(records, i * 48, deployment(taskId, vehicle(id)), i + 1))
    byId.set(id, { vehicleId: vehicle(id), records })
    for (const taskId of keys) writer.addHashes(0, keyHashLo(0, taskId, SEED), keyHashHi(0, taskId, SEED), id)
  })
  writer.flush()
  return { byId, parts }
}

/** What a store answers for a run's keys: every key partition's candidates, confirmed in their blobs. */
function storedVersions(stored: ReturnType<typeof store>, firstOfKey: FirstOfKey): Map<string, string> {
  const found = new Map<string, string>()
  for (let p = 0; p < KEY_PARTITIONS; p++) {
    const ids = candidateBlobIds(stored.parts.get(keyPartOf(0, p)) ?? [], firstOfKey)
    const blobs = [...ids].map((id) => stored.byId.get(id) as VehicleBlob)
    for (const row of storedVersionsInBlobs(blobs, 0, firstOfKey).values()) found.set((row as DeploymentRow).taskId, row.vehicleId)
  }
  return found
}

describe('key index', () => {
  test('finds the stored row of every staged key the store has, in its blob, and no other', () => {
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 12 }), { maxLength: 12 }), fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 40 }), (blobKeys, runKeys) => {
        // A key is stored once: later blobs drop keys an earlier one has.
        const seen = new Set<number>()
        const blobs = blobKeys.map((keys) => keys.filter((n) => !seen.has(n) && seen.add(n)).map(key))
        const expected = new Map<string, string>()
        blobs.forEach((keys, b) => keys.forEach((k) => runKeys.map(key).includes(k) && expected.set(k, vehicle(b + 1))))
        expect(storedVersions(store(blobs), staged(runKeys.map(key)))).toEqual(expected)
      }),
    )
  })

  test('hands a part over in blobs of 8,192 entries, the rest at flush, each entry the key\'s hashes and its blob id', () => {
    const handed: { part: number; entries: Buffer }[] = []
    const writer = new KeyIndexWriter((part, entries) => handed.push({ part, entries: Buffer.from(entries) }))
    // Hashes forged into one partition: low bits 5.
    for (let i = 0; i < KEY_ENTRIES_PER_BLOB + 3; i++) writer.addHashes(2, (i << 6) | 5, i, 70 + i)
    expect(handed.map(({ part, entries }) => [part, entries.length])).toEqual([[keyPartOf(2, 5), KEY_ENTRIES_PER_BLOB * KEY_ENTRY_BYTES]])
    writer.flush()
    expect(handed.map(({ part, entries }) => [part, entries.length])).toEqual([
      [keyPartOf(2, 5), KEY_ENTRIES_PER_BLOB * KEY_ENTRY_BYTES],
      [keyPartOf(2, 5), 3 * KEY_ENTRY_BYTES],
    ])
    const last = handed[1]?.entries as Buffer
    expect([last.readUInt32LE(0), last.readUInt32LE(4), last.readUInt32LE(8)]).toEqual([(KEY_ENTRIES_PER_BLOB << 6) | 5, KEY_ENTRIES_PER_BLOB, 70 + KEY_ENTRIES_PER_BLOB])
  })

  test('a blob whose key only shares a staged key\'s hashes is a candidate, but gives no stored version', () => {
    const firstOfKey = staged([key(1)])
    const forged = Buffer.alloc(KEY_ENTRY_BYTES)
    forged.writeUInt32LE(keyHashLo(0, key(1), SEED), 0)
    forged.writeUInt32LE(keyHashHi(0, key(1), SEED), 4)
    forged.writeUInt32LE(9, 8)
    expect([...candidateBlobIds([forged], firstOfKey)]).toEqual([9])
    const records = Buffer.alloc(48)
    packRow(records, 0, deployment(key(2), vehicle(9)), 1)
    expect(storedVersionsInBlobs([{ vehicleId: vehicle(9), records }], 0, firstOfKey).size).toBe(0)
  })

  test('a blob id past 32 bits is refused, not cut', () => {
    const writer = new KeyIndexWriter(() => {})
    expect(() => writer.addHashes(0, 1, 2, 2 ** 32)).toThrow(/32 bits/)
  })
})
