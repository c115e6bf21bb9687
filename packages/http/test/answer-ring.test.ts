import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { VehicleLookupResult } from '@vehicle-perf/core'
import { AnswerRing } from '../src/answer-ring.js'

const found = (key: string, body: string): VehicleLookupResult & { status: 200 } => ({
  status: 200,
  vehicleId: key,
  qrCode: null,
  body,
  etag: `"${key}"`,
  dataVersion: 1,
})

// A small ring and up to 40 answers, with bodies up to a little over the
// most it keeps (an eighth of it), so that its bytes, as often as the count,
// are what evicts; multi-byte characters too: the ring counts bytes.
const UNITS = { x: 1, 'é': 2, '€': 3, '😀': 4 } as const
const body = (ringBytes: number) =>
  fc.tuple(fc.double({ min: 0, max: 1.05, noNaN: true }), fc.constantFrom(...(Object.keys(UNITS) as (keyof typeof UNITS)[]))).map(([share, unit]) => unit.repeat(Math.floor((share * ringBytes) / 8 / UNITS[unit])))
const scenario = fc.record({ maxEntries: fc.integer({ min: 1, max: 40 }), ringBytes: fc.integer({ min: 64, max: 4096 }) }).chain(({ maxEntries, ringBytes }) =>
  fc.record({
    maxEntries: fc.constant(maxEntries),
    ringBytes: fc.constant(ringBytes),
    steps: fc.array(
      fc.oneof(
        { weight: 30, arbitrary: fc.record({ kind: fc.constant('keep' as const), key: fc.nat({ max: 2 * maxEntries }).map(String), body: body(ringBytes) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
      ),
      { minLength: 50, maxLength: 600, size: 'max' },
    ),
  }),
)

describe('the answer ring', () => {
  it('gives back every kept answer exactly as it was kept, whatever was written after it, and never more than maxEntries', () => {
    fc.assert(
      fc.property(scenario, ({ maxEntries, ringBytes, steps }) => {
        const ring = new AnswerRing(maxEntries, ringBytes)
        const keptBodies = new Map<string, string>()
        for (const s of steps) {
          if (s.kind === 'clear') {
            ring.clear()
            keptBodies.clear()
            continue
          }
          const before = ring.get(s.key)
          ring.keep(s.key, found(s.key, s.body))
          if (before === undefined && ring.get(s.key) !== undefined) keptBodies.set(s.key, s.body)
          expect(ring.size).toBeLessThanOrEqual(maxEntries)
          for (const [key, kept] of keptBodies) {
            const now = ring.get(key)
            if (now === undefined) keptBodies.delete(key)
            else {
              expect(now.body).toBe(kept)
              expect(now.etag).toBe(`"${key}"`)
            }
          }
        }
      }),
      { numRuns: 60 },
    )
  })

  it('drops an answer left in the tail of the ring when it wraps again, not the newer one written over', () => {
    const ring = new AnswerRing(100, 800)
    const keep = (key: string, bytes: number): void => ring.keep(key, found(key, key[0]?.repeat(bytes) ?? ''))
    // First lap: seven of 100 bytes, then 85 and 15, to the ring's end.
    for (const key of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']) keep(key, 100)
    keep('h', 85)
    keep('i', 15)
    // Second lap: seven of 100 from the start, then 20 (over h): i, the oldest, is left alone in the tail.
    for (const key of ['j', 'k', 'l', 'm', 'n', 'o', 'p']) keep(key, 100)
    keep('q', 20)
    // 90 bytes do not fit in the 80 left: the ring wraps with i still there.
    keep('r', 90)
    expect(ring.get('i')).toBeUndefined()
    expect(ring.get('j')).toBeUndefined()
    const sizes: Record<string, number> = { k: 100, l: 100, m: 100, n: 100, o: 100, p: 100, q: 20, r: 90 }
    for (const [key, bytes] of Object.entries(sizes)) expect(ring.get(key)?.body).toBe(key.repeat(bytes))
  })

  it('hands out copies: an answer handed out is unchanged after the ring writes over its range or a new data version clears it', () => {
    const ring = new AnswerRing(100, 800)
    ring.keep('A', found('A', 'a'.repeat(100)))
    const first = ring.get('A')
    // Ten more of 100 bytes: the ring wraps and writes over A's range.
    for (let i = 0; i < 10; i++) ring.keep(`K${i}`, found(`K${i}`, String(i).repeat(100)))
    expect(ring.get('A')).toBeUndefined()
    expect(first?.body).toBe('a'.repeat(100))
    expect(first?.bytes.toString('utf8')).toBe('a'.repeat(100))
    ring.keep('B', found('B', 'b'.repeat(100)))
    const second = ring.get('B')
    ring.clear()
    for (let i = 0; i < 8; i++) ring.keep(`L${i}`, found(`L${i}`, String(i).repeat(100)))
    expect(second?.body).toBe('b'.repeat(100))
  })

  it('hands out plain data, as any lookup result: spread or serialised, an answer keeps its body', () => {
    const ring = new AnswerRing(4)
    ring.keep('A', found('A', '{"vehicle_id":"A"}'))
    const answer = ring.get('A')
    expect({ ...answer }).toMatchObject({ status: 200, vehicleId: 'A', body: '{"vehicle_id":"A"}', etag: '"A"' })
    expect(JSON.parse(JSON.stringify(answer)) as unknown).toMatchObject({ body: '{"vehicle_id":"A"}' })
  })

  it('keeps the first answer of a key until it is dropped', () => {
    const ring = new AnswerRing(4)
    ring.keep('A', found('A', 'first'))
    ring.keep('A', found('A', 'second'))
    expect(ring.get('A')?.body).toBe('first')
  })

  it('does not keep an answer larger than an eighth of the ring', () => {
    const ring = new AnswerRing(1)
    ring.keep('A', found('A', 'x'.repeat(3072 / 8 + 1)))
    expect(ring.get('A')).toBeUndefined()
    ring.keep('B', found('B', 'x'.repeat(3072 / 8)))
    expect(ring.get('B')?.body).toBe('x'.repeat(384))
  })
})
