import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ingest, InMemoryDeduplicator, readOperationRows, type OperationRow, type RowKind } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { storedRowsIn } from './stored-rows.js'

// Staged resolution (a set-based SQL pass per run) must decide exactly what
// core's in-memory rule decides row by row: first accepted version wins, per
// kind, across files and runs; later ones are exact or conflict duplicates.

const RIDE_HEADER = 'ride_id,vehicle_id,time_ride_start,time_ride_end,start_lat,start_lng,end_lat,end_lng,gross_amount'
const TASK_HEADER = 'task_id,vehicle_id,time_task_created,time_task_resolved'
const id = (prefix: string, n: number): string => `${prefix}${String(n).padStart(19, '0')}`

interface FileSpec {
  kind: 'ride' | 'deployment'
  /** [key number, variant]: few keys and two variants make exact and conflicting duplicates common. */
  rows: [number, number][]
}

function csvOf(file: FileSpec): string {
  const lines = file.rows.map(([key, variant]) =>
    file.kind === 'ride'
      ? `${id('R', key)},${id('V', key % 3)},2019-05-01 10:00:00 UTC,2019-05-01 10:1${variant}:00 UTC,48.83,2.38,48.83,2.36,${variant === 0 ? '2.50' : '3.00'}`
      : `${id('D', key)},${id('V', key % 3)},2019-05-0${1 + variant} 10:00:00 UTC,2019-05-0${1 + variant} 11:00:00 UTC`,
  )
  return `${file.kind === 'ride' ? RIDE_HEADER : TASK_HEADER}\n${lines.join('\n')}\n`
}

const fileSpec: fc.Arbitrary<FileSpec> = fc.record({
  kind: fc.constantFrom('ride' as const, 'deployment' as const),
  rows: fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 1 })), { maxLength: 12 }),
})

async function rowsOf(text: string, kind: RowKind): Promise<OperationRow[]> {
  const rows: OperationRow[] = []
  for await (const batch of readOperationRows([text], kind, { sourceName: 'x.csv' })) rows.push(...batch.rows.map((r) => r.row))
  return rows
}

describe('staged deduplication', () => {
  it('decides every row, file by file and run by run, as core\'s in-memory first-wins rule does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fileSpec, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), async (runs) => {
        const dir = mkdtempSync(join(tmpdir(), 'vp-dedup-'))
        const adapter = createSqliteStorage({ filename: join(dir, 'store.db') })
        try {
          await adapter.migrate()
          const reference = new InMemoryDeduplicator()
          for (const run of runs) {
            const report = await ingest({ adapter, batchSize: 3, sources: run.map((file, i) => ({ name: `batch_${i}.csv`, kind: file.kind, stream: [csvOf(file)] })) })
            for (const [i, file] of run.entries()) {
              const expected = { accepted: 0, exact: 0, conflict: 0 }
              for (const row of await rowsOf(csvOf(file), file.kind)) {
                const decision = reference.check(row)
                if (decision.status === 'new') expected.accepted++
                else expected[decision.status]++
              }
              const got = report.files[i]
              expect({ accepted: got?.accepted, exact: got?.duplicates?.exact, conflict: got?.duplicates?.conflict }).toEqual(expected)
            }
          }
          await adapter.close()
          // The stored version of every ride is the first one read.
          const stored = storedRowsIn(join(dir, 'store.db')).flatMap((row) => (row.kind === 'ride' ? [[row.rideId, row.amountCents]] : [])).sort()
          const firstAmount = new Map<string, number>()
          for (const file of runs.flat()) if (file.kind === 'ride') for (const [key, variant] of file.rows) if (!firstAmount.has(id('R', key))) firstAmount.set(id('R', key), variant === 0 ? 250 : 300)
          expect(stored).toEqual([...firstAmount].sort(([a], [b]) => (a < b ? -1 : 1)))
        } finally {
          await adapter.close()
          rmSync(dir, { recursive: true, force: true })
        }
      }),
      { numRuns: 30 },
    )
  }, 120_000)
})
