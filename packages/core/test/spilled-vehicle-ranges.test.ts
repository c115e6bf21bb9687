import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { cutPoints, VehicleRanges, VehicleSample } from '../src/spilled-run/vehicle-ranges.js'

/** The definition of a vehicle's range: how many cut points are <= its id. */
const cutsAtMost = (cuts: readonly string[], id: string): number => cuts.filter((cut) => cut <= id).length

describe('vehicle ranges', () => {
  test('ranges keep id order: a smaller id never falls in a later range, and every range index is below the partition count', () => {
    // A small alphabet makes equal ids (and equal cut candidates) common.
    const id = fc.stringMatching(/^[a-c0]{20}$/)
    fc.assert(
      fc.property(fc.array(id, { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 70 }), (ids, partitions) => {
        const sample = new VehicleSample()
        for (const vehicleId of ids) sample.add(vehicleId)
        const cuts = sample.boundaries(partitions)
        expect(cuts.length).toBeLessThan(partitions)
        expect([...cuts].sort()).toEqual(cuts)
        expect(new Set(cuts).size).toBe(cuts.length)
        const vehicleRanges = new VehicleRanges(cuts)
        const sorted = [...ids].sort()
        const ranges = sorted.map((vehicleId) => vehicleRanges.rangeOf(vehicleId))
        for (let i = 1; i < ranges.length; i++) expect(ranges[i]).toBeGreaterThanOrEqual(ranges[i - 1] as number)
        for (const range of ranges) expect(range).toBeLessThan(partitions)
      }),
    )
  })

  test('a large uniform sample cuts about equal ranges', () => {
    const sample = new VehicleSample()
    const ids = Array.from({ length: 100_000 }, (_, i) => `V${String((i * 7919) % 100_000).padStart(19, '0')}`)
    for (const id of ids) sample.add(id)
    const cuts = sample.boundaries(64)
    expect(cuts.length).toBe(63)
    const ranges = new VehicleRanges(cuts)
    const sizes = new Array<number>(64).fill(0)
    for (const id of ids) sizes[ranges.rangeOf(id)] = (sizes[ranges.rangeOf(id)] as number) + 1
    expect(Math.max(...sizes)).toBeLessThan((3 * ids.length) / 64)
    expect(cutPoints(['a', 'a', 'a'], 3)).toEqual(['a'])
  })

  test('the range of an id read from bytes is the range of the id as a string', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9]{20}$/)
    fc.assert(
      fc.property(fc.uniqueArray(id, { maxLength: 70 }), fc.array(id, { minLength: 1, maxLength: 20 }), (sample, ids) => {
        const cuts = [...sample].sort()
        const ranges = new VehicleRanges(cuts)
        const bytes = Buffer.alloc(40)
        for (const vehicleId of [...ids, ...cuts]) {
          bytes.write(vehicleId, 7, 20, 'latin1')
          expect(ranges.rangeAt(bytes, 7)).toBe(cutsAtMost(cuts, vehicleId))
          expect(ranges.rangeOf(vehicleId)).toBe(cutsAtMost(cuts, vehicleId))
        }
      }),
    )
  })
})
