import { describe, expect, test } from 'vitest'
import type { VehicleKey } from '@vehicle-perf/core'
import { createLookupBatcher, keyId } from '../src/lookup-batcher.js'

const id = (value: string): VehicleKey => ({ type: 'vehicle_id', value })
const qr = (value: string): VehicleKey => ({ type: 'qr_code', value })

/** A loader that records each batch and answers every key it is asked with its own name, until released. */
function recordingLoader() {
  const batches: { vehicleIds: string[]; qrCodes: string[] }[] = []
  const releases: (() => void)[] = []
  const load = (vehicleIds: string[], qrCodes: string[]): Promise<Map<string, string>> => {
    batches.push({ vehicleIds, qrCodes })
    return new Promise((resolve) => {
      releases.push(() => resolve(new Map([...vehicleIds.map((v) => [keyId('vehicle_id', v), `id ${v}`] as const), ...qrCodes.map((v) => [keyId('qr_code', v), `qr ${v}`] as const)])))
    })
  }
  const releaseAll = (): void => {
    for (const release of releases.splice(0)) release()
  }
  return { batches, load, releaseAll }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('lookup batcher', () => {
  test('lookups made in one turn go in one batch; a key asked twice is read once and answers both', async () => {
    const loader = recordingLoader()
    const lookup = createLookupBatcher(loader.load, 4)
    const answers = Promise.all([lookup(id('A')), lookup(qr('A')), lookup(id('B')), lookup(id('A'))])
    await nextTurn()
    loader.releaseAll()
    expect(await answers).toEqual(['id A', 'qr A', 'id B', 'id A'])
    expect(loader.batches).toEqual([{ vehicleIds: ['A', 'B'], qrCodes: ['A'] }])
  })

  test('a key the loader does not answer is null', async () => {
    const lookup = createLookupBatcher(() => Promise.resolve(new Map<string, string>()), 1)
    expect(await lookup(id('NOBODY'))).toBeNull()
  })

  test('while every connection is busy, new keys wait and go together in the next batch', async () => {
    const loader = recordingLoader()
    const lookup = createLookupBatcher(loader.load, 1)
    const first = lookup(id('A'))
    await nextTurn()
    const later = [lookup(id('B')), lookup(id('C'))]
    await nextTurn()
    const last = lookup(id('D'))
    await nextTurn()
    expect(loader.batches).toHaveLength(1)
    loader.releaseAll()
    expect(await first).toBe('id A')
    await nextTurn()
    expect(loader.batches.map((batch) => batch.vehicleIds)).toEqual([['A'], ['B', 'C', 'D']])
    loader.releaseAll()
    expect(await Promise.all([...later, last])).toEqual(['id B', 'id C', 'id D'])
  })

  test('a batch holds at most 256 keys; the rest go in the next ones', async () => {
    const loader = recordingLoader()
    const lookup = createLookupBatcher(loader.load, 8)
    const keys = Array.from({ length: 600 }, (_unused, i) => id(`V${i}`))
    const answers = Promise.all(keys.map((key) => lookup(key)))
    await nextTurn()
    loader.releaseAll()
    expect(await answers).toEqual(keys.map((key) => `id ${key.value}`))
    expect(loader.batches.map((batch) => batch.vehicleIds.length)).toEqual([256, 256, 88])
  })

  test('with at most one key a batch, each key goes alone', async () => {
    const loader = recordingLoader()
    const lookup = createLookupBatcher(loader.load, 8, 1)
    const answers = Promise.all([lookup(id('A')), lookup(qr('B'))])
    await nextTurn()
    loader.releaseAll()
    expect(await answers).toEqual(['id A', 'qr B'])
    expect(loader.batches).toEqual([{ vehicleIds: ['A'], qrCodes: [] }, { vehicleIds: [], qrCodes: ['B'] }])
  })

  test('a failed batch fails each of its lookups with the error, and the next batch is sent', async () => {
    let calls = 0
    const lookup = createLookupBatcher(async (vehicleIds) => {
      calls++
      if (calls === 1) throw new Error('server gone')
      return new Map(vehicleIds.map((v) => [keyId('vehicle_id', v), v]))
    }, 1)
    const failed = [lookup(id('A')), lookup(id('B'))]
    await expect(failed[0]).rejects.toThrow('server gone')
    await expect(failed[1]).rejects.toThrow('server gone')
    expect(await lookup(id('C'))).toBe('C')
  })
})
