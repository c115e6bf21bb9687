// Hostile deployments files generated with fast-check, ingested into any
// store: BOM or not, CRLF or LF, columns in any order with unknown ones,
// blank lines, quoted line breaks, garbage, wrong column counts, bad values
// and duplicates of any kind. Whatever the file, the run never crashes,
// each file's accounting is exactly what the rows were built to be, and
// every reject is kept at the line it starts on.
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { ingest } from '@vehicle-perf/core'
import { fixtureId, type ConformanceStore } from '@vehicle-perf/core/testing'

const COLUMNS = ['task_id', 'vehicle_id', 'time_task_created', 'time_task_resolved'] as const

/** One unit of a file: what it is, and so what the run must make of it. */
type Unit =
  | { is: 'row'; key: number; version: 0 | 1; quoted: boolean }
  | { is: 'bad_value'; key: number; column: (typeof COLUMNS)[number] }
  | { is: 'extra_field'; key: number }
  | { is: 'garbage'; text: string }
  | { is: 'quoted_line_break'; key: number }
  | { is: 'blank' }

const unit: fc.Arbitrary<Unit> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ is: fc.constant('row' as const), key: fc.nat(11), version: fc.constantFrom(0 as const, 1 as const), quoted: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ is: fc.constant('bad_value' as const), key: fc.nat(11), column: fc.constantFrom(...COLUMNS) }) },
  { weight: 1, arbitrary: fc.record({ is: fc.constant('extra_field' as const), key: fc.nat(11) }) },
  // Anything but a quote or a line break (those are units of their own); never blank.
  { weight: 1, arbitrary: fc.record({ is: fc.constant('garbage' as const), text: fc.string({ maxLength: 40 }).map((text) => `#${text.replace(/["\r\n]/g, '')}`) }) },
  { weight: 1, arbitrary: fc.record({ is: fc.constant('quoted_line_break' as const), key: fc.nat(11) }) },
  { weight: 1, arbitrary: fc.constant({ is: 'blank' as const }) },
)

const file = fc.record({
  units: fc.array(unit, { maxLength: 25 }),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  order: fc.shuffledSubarray([...COLUMNS], { minLength: 4, maxLength: 4 }),
  unknownColumn: fc.boolean(),
})

type HostileFile = typeof file extends fc.Arbitrary<infer T> ? T : never

interface Expected {
  rowsRead: number
  accepted: number
  exact: number
  conflict: number
  rejectLines: number[]
}

/** The text of a file, and what ingesting it after `firstVersion`'s keys must report; updates `firstVersion`. */
function build(spec: HostileFile, prefix: string, firstVersion: Map<number, 0 | 1>): { text: string; expected: Expected } {
  const eol = spec.crlf ? '\r\n' : '\n'
  const header = [...spec.order, ...(spec.unknownColumn ? ['notes'] : [])].join(',')
  const values = (key: number, version: 0 | 1): Record<(typeof COLUMNS)[number], string> => ({
    task_id: fixtureId(`${prefix}K${String(key).padStart(2, "0")}`),
    vehicle_id: fixtureId(`${prefix}V${key % 3}`),
    time_task_created: `2019-05-0${1 + version} 10:00:00 UTC`,
    time_task_resolved: `2019-05-0${1 + version} 11:00:00 UTC`,
  })
  const line = (fields: Record<string, string>, quoted = false): string =>
    [...spec.order.map((column) => (quoted ? `"${fields[column]}"` : (fields[column] as string))), ...(spec.unknownColumn ? ['n/a'] : [])].join(',')
  const expected: Expected = { rowsRead: 0, accepted: 0, exact: 0, conflict: 0, rejectLines: [] }
  const lines: string[] = []
  let at = 2
  for (const u of spec.units) {
    if (u.is === 'blank') {
      lines.push('')
      at++
      continue
    }
    expected.rowsRead++
    if (u.is === 'row') {
      lines.push(line(values(u.key, u.version), u.quoted))
      const first = firstVersion.get(u.key)
      if (first === undefined) {
        firstVersion.set(u.key, u.version)
        expected.accepted++
      } else expected[first === u.version ? 'exact' : 'conflict']++
      at++
      continue
    }
    expected.rejectLines.push(at)
    if (u.is === 'bad_value') {
      const bad = { ...values(u.key, 0), [u.column]: u.column.startsWith('time') ? '2019-13-45 25:00:00 UTC' : 'not an id' }
      lines.push(line(bad))
      at++
    } else if (u.is === 'extra_field') {
      lines.push(`${line(values(u.key, 0))},extra`)
      at++
    } else if (u.is === 'garbage') {
      lines.push(u.text)
      at++
    } else {
      // An id with a line break in it: one record over two lines, rejected at the first.
      lines.push(line({ ...values(u.key, 0), task_id: `"${prefix}\nK${u.key}"` }))
      at += 2
    }
  }
  const body = lines.map((l) => l + eol).join('')
  return { text: `${spec.bom ? '\uFEFF' : ''}${header}${eol}${body}`, expected }
}

/** Defines the property test on a store; `createStore` is the conformance suite's factory. */
export function hostileCsvProperty(createStore: () => Promise<ConformanceStore>, numRuns = 25): void {
  test('hostile deployments files generated with fast-check never crash a run; each file\'s accounting is exact and every reject is kept at its line (property)', async () => {
    const store = await createStore()
    await store.adapter.migrate()
    let run = 0
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 3 }), async (specs) => {
          // Keys of their own per run: earlier runs (and shrinking) never collide with this one.
          const prefix = `P${(run++).toString(36)}`
          const firstVersion = new Map<number, 0 | 1>()
          const files = specs.map((spec, i) => ({ name: `deployments_${prefix}_${i}.csv`, ...build(spec, prefix, firstVersion) }))
          const report = await ingest({ adapter: store.adapter, batchSize: 7, sources: files.map((f) => ({ name: f.name, stream: [f.text] })) })
          expect(report.status).toBe('succeeded')
          const contents = await store.readBack()
          for (const [i, f] of files.entries()) {
            const got = report.files[i]
            expect({
              rowsRead: got?.rows_read,
              accepted: got?.accepted,
              exact: got?.duplicates?.exact,
              conflict: got?.duplicates?.conflict,
              rejectLines: contents.rejects.filter((r) => r.source === f.name).map((r) => r.line).sort((a, b) => a - b),
            }).toEqual(f.expected)
            expect(got?.rejected?.rows).toBe(f.expected.rejectLines.length)
          }
        }),
        { numRuns },
      )
    } finally {
      await store.adapter.close()
      await store.cleanup()
    }
  }, 120_000)
}
