import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { VehicleKey } from '@vehicle-perf/core'
import { KnownKeys } from '../src/known-keys.js'

const alphanumeric = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')
const vehicleKey: fc.Arbitrary<VehicleKey> = fc.oneof(
  fc.string({ unit: alphanumeric, minLength: 20, maxLength: 20 }).map((value) => ({ type: 'vehicle_id' as const, value })),
  fc.string({ unit: alphanumeric, minLength: 6, maxLength: 6 }).map((value) => ({ type: 'qr_code' as const, value: value.toUpperCase() })),
)

describe('the known-keys filter', () => {
  it('never rules out a key it was built with (no false negatives), for any set of keys', () => {
    fc.assert(
      fc.property(fc.array(vehicleKey, { maxLength: 3000 }), (keys) => {
        const known = KnownKeys.fromKeys(keys, 1)
        return keys.every((key) => known.mayHave(key))
      }),
      { numRuns: 60 },
    )
  })

  it('tells a vehicle id from a QR code of the same text', () => {
    const known = KnownKeys.fromKeys([{ type: 'qr_code', value: 'ABC123' }], 1)
    expect(known.mayHave({ type: 'qr_code', value: 'ABC123' })).toBe(true)
    // Six characters are never a vehicle id; the point is that the type is part of the hash.
    expect(known.mayHave({ type: 'vehicle_id', value: 'ABC123' })).toBe(false)
  })

  it('rules out about 99% of unknown keys at 10 bits per key', () => {
    const keys = Array.from({ length: 50_000 }, (_, i): VehicleKey => ({ type: 'vehicle_id', value: `K${String(i).padStart(19, '0')}` }))
    const known = KnownKeys.fromKeys(keys, 1)
    let falsePositives = 0
    for (let i = 0; i < 50_000; i++) if (known.mayHave({ type: 'vehicle_id', value: `U${String(i).padStart(19, '0')}` })) falsePositives++
    expect(falsePositives / 50_000).toBeLessThan(0.02)
  })
})
