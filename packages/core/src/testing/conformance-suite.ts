import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from '../generator/generate.js'
import { Random } from '../generator/random.js'
import { ingest, type IngestOptions, type IngestProgress } from '../ingest/ingest.js'
import type { IngestReport } from '../ingest/ingest-report.js'
import { renderVehicleView } from '../response/vehicle-response.js'
import type { DuplicateClass } from '../rows/deduplicate.js'
import { parseVehicleKey, type VehicleKey } from '../values/ids.js'
import type { RowKind } from '../rows/kinds.js'
import type { RejectReason } from '../rows/reject-reasons.js'
import type { OperationRow, StoredRow } from '../rows/row-types.js'
import type { LogFilter, SettleStep, StagedDuplicate, StorageAdapter, StoredView } from '../storage/storage-contract.js'
import type { VehicleHistory } from '../response/vehicle-events.js'
import { csv, DEPLOYMENT_HEADER, fixtureId, PICKUP_HEADER, referenceResponses, RIDE_HEADER } from './conformance-fixtures.js'

/** The subset of vitest's `expect` the suite uses, so core does not depend on vitest. */
export interface ConformanceExpect {
  (actual: unknown): {
    toBe(expected: unknown): void
    toEqual(expected: unknown): void
    toBeNull(): void
    not: { toBeNull(): void; toBe(expected: unknown): void }
    toBeGreaterThan(expected: number): void
    toMatchObject(expected: object): void
    toMatch(expected: RegExp): void
    rejects: { toMatchObject(expected: object): Promise<void> }
  }
}

/**
 * Everything a store holds, as plain data. A harness reads it back by the
 * store's own means (another connection and raw SQL, the store's own
 * decoder for packed rows), never through the adapter under test.
 */
export interface StoreContents {
  /** Every stored row with its seq. */
  rows: StoredRow[]
  rejects: { runId: string; source: string; line: number; kind: RowKind; fields: string[]; truncated: boolean; reasons: RejectReason[] }[]
  /** `kept` and `incoming` may be null for an `exact` duplicate (they are equal); a conflict has both. */
  duplicates: { runId: string; kind: RowKind; key: string; source: string; line: number; classification: DuplicateClass; kept: OperationRow | null; incoming: OperationRow | null }[]
  views: { vehicleId: string; contentHash: string }[]
  qrClaims: { vehicleId: string; qrCode: string; recency: string }[]
  runs: { runId: string; status: 'succeeded' | 'failed'; startedAt: string }[]
}

export interface ConformanceStore {
  adapter: StorageAdapter
  readBack(): Promise<StoreContents>
  /** Another adapter on the same store (another connection), for the concurrency case. */
  openAnother(): Promise<StorageAdapter>
  cleanup(): Promise<void>
}

export interface ConformanceSuiteOptions {
  describe: (name: string, body: () => void) => void
  test: (name: string, body: () => Promise<void>, timeoutMs?: number) => void
  expect: ConformanceExpect
  /** A fresh, empty store per test (random names, so tests never share state). */
  createStore: () => Promise<ConformanceStore>
}

interface GeneratedData {
  dir: string
  expected: ReturnType<typeof generate>['expected']
  files: string[]
}

/** The report of a run driven by hand (the contract's phases called directly). */
function handReport(runId: string, status: IngestReport['status']): IngestReport {
  const now = new Date().toISOString()
  return {
    run_id: runId, status, started_at: now, finished_at: now, as_of: null, policy: 'recent', files: [], vehicles_refreshed: 0, data_version: 0,
    totals: { files: 0, failed_files: 0, rows_read: 0, accepted: 0, duplicates: { exact: 0, conflict: 0 }, rejected: { rows: 0, reasons: {} } },
  }
}

function stream(name: string, text: string): { name: string; stream: string[] } {
  return { name, stream: [text] }
}

function countOf(contents: StoreContents, kind: RowKind): number {
  return contents.rows.filter((row) => row.kind === kind).length
}

/** What must not change when a run fails, or when a run adds nothing. */
async function snapshot(store: ConformanceStore): Promise<Record<string, number>> {
  const contents = await store.readBack()
  const meta = await store.adapter.meta()
  return {
    deployment: countOf(contents, 'deployment'),
    pickup: countOf(contents, 'pickup'),
    ride: countOf(contents, 'ride'),
    rejects: contents.rejects.length,
    duplicates: contents.duplicates.length,
    views: contents.views.length,
    qrClaims: contents.qrClaims.length,
    dataVersion: meta.dataVersion,
    asOf: meta.asOf ?? -1,
  }
}

function runStatuses(contents: StoreContents): string[] {
  return [...contents.runs].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0)).map((run) => run.status)
}

const ride = (id: string, vehicle: string, hour: number, amount: string): string =>
  `${fixtureId(id)},${fixtureId(vehicle)},2019-05-01 ${String(hour).padStart(2, '0')}:00:00 UTC,2019-05-01 ${String(hour).padStart(2, '0')}:10:00 UTC,48.83,2.38,48.83,2.36,${amount}`

/**
 * The behaviour every StorageAdapter must have. An adapter's own test file
 * calls this once with its store factory:
 *
 *   runStorageConformanceSuite({ describe, test, expect, createStore: ... })
 *
 * Nothing in it depends on how a store keeps its data.
 */
export function runStorageConformanceSuite(options: ConformanceSuiteOptions): void {
  const { describe, test, expect } = options
  const withStore = (body: (store: ConformanceStore, dataDir: (scale: number, seed: number) => GeneratedData) => Promise<void>) => async (): Promise<void> => {
    const store = await options.createStore()
    const dirs: string[] = []
    const dataDir = (scale: number, seed: number): GeneratedData => {
      const dir = mkdtempSync(join(tmpdir(), 'vp-conformance-'))
      dirs.push(dir)
      const result = generate({ outDir: dir, scale, seed, anomalies: { malformed: 0.01, conflictDuplicate: 0.01, exactDuplicate: 0.01 } })
      return { dir, expected: result.expected, files: result.files }
    }
    try {
      await store.adapter.migrate()
      await body(store, dataDir)
    } finally {
      await store.adapter.close()
      await store.cleanup()
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    }
  }
  const expectReferenceResponses = async (adapter: StorageAdapter, dir: string, policy: 'recent' | 'revenue' = 'recent'): Promise<void> => {
    const reference = await referenceResponses(dir, policy)
    for (const [vehicleId, expected] of reference) {
      const view = await adapter.lookup({ type: 'vehicle_id', value: vehicleId })
      expect(view === null ? null : renderVehicleView(view, view.asOf)).toBe(JSON.stringify(expected))
    }
  }

  describe('storage adapter conformance', () => {
    test('migrations are idempotent', withStore(async (store) => {
      await store.adapter.migrate()
      await store.adapter.migrate()
      const report = await ingest({ adapter: store.adapter, sources: [stream('deployments.csv', csv(DEPLOYMENT_HEADER, `${fixtureId('D1')},${fixtureId('V1')},2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC`))] })
      expect(report.totals.accepted).toBe(1)
      await store.adapter.migrate()
      expect(countOf(await store.readBack(), 'deployment')).toBe(1)
    }))

    test('declares its capabilities, and a store with packed rows offers the packed refresh', withStore(async (store) => {
      const { capabilities } = store.adapter
      expect(typeof capabilities.packedRows).toBe('boolean')
      const staging = await store.adapter.beginIngest({ runId: 'run-capabilities', startedAt: new Date() })
      const refresh = await staging.settleKeys({ chunkSize: 10, everyVehicle: false, onDuplicates: () => [] })
      expect(typeof refresh.packedVehicles === 'function').toBe(capabilities.packedRows)
      await refresh.rollback(handReport('run-capabilities', 'failed'))
    }))

    test('keeps the first version of a key by seq, stored before staged, and hands every other row to core with the kept version', withStore(async (store) => {
      const row = (id: string, vehicle: string, amountCents: number): OperationRow => ({
        kind: 'ride', rideId: fixtureId(id), vehicleId: fixtureId(vehicle), startedAt: Date.UTC(2019, 4, 1, 10), endedAt: Date.UTC(2019, 4, 1, 10, 10), start: null, end: null, amountCents,
      })
      // Run 1, by hand: R1 twice in one file, R2 in a file that is rolled back.
      const first = await store.adapter.beginIngest({ runId: 'run-1', startedAt: new Date() })
      const meta = await first.meta()
      expect(meta.nextSeq).toBeGreaterThan(0)
      await first.beginFile()
      await first.stageRows({ kind: 'ride', file: 0, firstSeq: meta.nextSeq, rows: [{ row: row('R1', 'V1', 100), line: 2 }, { row: row('R1', 'V1', 200), line: 3 }] })
      await first.commitFile()
      await first.beginFile()
      await first.stageRows({ kind: 'ride', file: 1, firstSeq: meta.nextSeq + 2, rows: [{ row: row('R2', 'V2', 300), line: 2 }] })
      await first.rollbackFile()
      const seen: StagedDuplicate[] = []
      const steps: SettleStep[] = []
      const refresh = await first.settleKeys({
        chunkSize: 1,
        everyVehicle: false,
        onStep: (step) => steps.push(step),
        onDuplicates: (chunk) => {
          expect(chunk.length).toBe(1)
          seen.push(...chunk)
          return []
        },
      })
      expect(seen.map((d) => [d.kind, d.key, d.file, d.line, (d.incoming as { amountCents: number }).amountCents, (d.kept as { amountCents: number }).amountCents])).toEqual([['ride', fixtureId('R1'), 0, 3, 200, 100]])
      expect(steps[steps.length - 1]?.done).toBe(steps[steps.length - 1]?.total)
      expect(refresh.vehicleCount).toBe(1)
      const histories: VehicleHistory[] = []
      for await (const chunk of refresh.vehicles(10)) histories.push(...chunk)
      expect(histories.map((h) => [h.vehicleId, h.rows.map((r) => [r.seq, (r as { amountCents: number }).amountCents])])).toEqual([[fixtureId('V1'), [[meta.nextSeq, 100]]]])
      await refresh.commit(handReport('run-1', 'succeeded'), { ...meta, dataVersion: meta.dataVersion + 1, nextSeq: meta.nextSeq + 3 })
      expect((await store.adapter.meta()).nextSeq).toBe(meta.nextSeq + 3)
      // Run 2: the stored R1 wins over a staged one; the vehicle's history has both runs' rows.
      const second = await store.adapter.beginIngest({ runId: 'run-2', startedAt: new Date() })
      await second.stageRows({ kind: 'ride', file: 0, firstSeq: meta.nextSeq + 3, rows: [{ row: row('R1', 'V1', 999), line: 2 }, { row: row('R3', 'V1', 400), line: 3 }] })
      const again: StagedDuplicate[] = []
      const refreshAgain = await second.settleKeys({ chunkSize: 10, everyVehicle: false, onDuplicates: (chunk) => (again.push(...chunk), []) })
      expect(again.map((d) => [d.key, (d.kept as { amountCents: number }).amountCents])).toEqual([[fixtureId('R1'), 100]])
      const rows: StoredRow[] = []
      for await (const chunk of refreshAgain.vehicles(10)) for (const history of chunk) rows.push(...history.rows)
      expect(rows.map((r) => r.seq).sort((a, b) => a - b)).toEqual([meta.nextSeq, meta.nextSeq + 4])
      await refreshAgain.rollback(handReport('run-2', 'failed'))
      const contents = await store.readBack()
      expect(contents.rows.map((r) => [r.seq, (r as { amountCents: number }).amountCents])).toEqual([[meta.nextSeq, 100]])
      expect(runStatuses(contents)).toEqual(['succeeded', 'failed'])
    }))

    test('stores new rows and logs exact and conflicting duplicates and rejects with their line and reasons', withStore(async (store) => {
      const good = ride('R1', 'V1', 10, '2.50')
      const report = await ingest({
        adapter: store.adapter,
        sources: [stream('rides_1.csv', csv(RIDE_HEADER, good, good.replace('2.50', '2.5'), good.replace('2.50', '3.00'), `${fixtureId('R2')},bad,2019-05-01 10:00:00 UTC,2019-05-01 09:00:00 UTC,48.83,2.38,48.83,2.36,-1`))],
      })
      expect(report.files[0]).toMatchObject({ rows_read: 4, accepted: 1, duplicates: { exact: 1, conflict: 1 }, rejected: { rows: 1, reasons: { bad_id: 1, ride_ends_before_start: 1, bad_amount: 1 } } })
      const contents = await store.readBack()
      expect(countOf(contents, 'ride')).toBe(1)
      const duplicates = [...contents.duplicates].sort((a, b) => a.line - b.line)
      expect(duplicates.map((d) => [d.line, d.classification, d.runId])).toEqual([[3, 'exact', report.run_id], [4, 'conflict', report.run_id]])
      expect(duplicates[1]?.incoming).toMatchObject({ amountCents: 300 })
      expect(duplicates[1]?.kept).toMatchObject({ amountCents: 250 })
      expect(contents.rejects.map((r) => [r.line, r.source, [...r.reasons].sort(), r.fields[1], r.truncated, r.runId])).toEqual([[5, 'rides_1.csv', ['bad_amount', 'bad_id', 'ride_ends_before_start'], 'bad', false, report.run_id]])
    }))

    test('lists the logged rejects and duplicates of every run in the order they were logged, in pages, filtered by run, file, kind, reason and class', withStore(async (store) => {
      const good = ride('R1', 'V1', 10, '2.50')
      const rides = csv(RIDE_HEADER, good, good.replace('2.50', '3.00'), `${fixtureId('R2')},bad,2019-05-01 10:00:00 UTC,2019-05-01 09:00:00 UTC,48.83,2.38,48.83,2.36,-1`, good.replace('2.50', '-1'))
      const deployments = csv(DEPLOYMENT_HEADER, `${fixtureId('D1')},${fixtureId('V1')},2019-05-01 10:00:00 UTC,2019-05-01 09:00:00 UTC`)
      // 1,200 rejects: more than one page of any store's reading.
      const many = csv(DEPLOYMENT_HEADER, ...Array.from({ length: 1200 }, (_, i) => `D${i},${fixtureId('V1')},2019-05-01 10:00:00 UTC,2019-05-01 11:00:00 UTC`))
      const first = await ingest({ adapter: store.adapter, sources: [stream('rides_1.csv', rides), stream('deployments_1.csv', deployments)] })
      const second = await ingest({ adapter: store.adapter, sources: [stream('rides_1.csv', rides), stream('deployments_many.csv', many)] })
      const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
        const all: T[] = []
        for await (const item of items) all.push(item)
        return all
      }
      const contents = await store.readBack()
      const rejects = await collect(store.adapter.listRejects())
      expect(rejects).toEqual(contents.rejects)
      expect(rejects.length).toBe(3 + 2 + 1200)
      // The order they were logged: run by run, file by file (files go in name order), line by line.
      expect(rejects.slice(0, 4).map((r) => [r.runId, r.source, r.line])).toEqual([
        [first.run_id, 'deployments_1.csv', 2],
        [first.run_id, 'rides_1.csv', 4],
        [first.run_id, 'rides_1.csv', 5],
        [second.run_id, 'deployments_many.csv', 2],
      ])
      const rejectsWhere = async (filter: LogFilter): Promise<[string, string, number][]> => (await collect(store.adapter.listRejects(filter))).map((r) => [r.runId, r.source, r.line])
      expect(await rejectsWhere({ runId: first.run_id })).toEqual([[first.run_id, 'deployments_1.csv', 2], [first.run_id, 'rides_1.csv', 4], [first.run_id, 'rides_1.csv', 5]])
      expect(await rejectsWhere({ source: 'rides_1.csv', runId: second.run_id })).toEqual([[second.run_id, 'rides_1.csv', 4], [second.run_id, 'rides_1.csv', 5]])
      expect(await rejectsWhere({ kind: 'deployment', runId: first.run_id })).toEqual([[first.run_id, 'deployments_1.csv', 2]])
      expect(await rejectsWhere({ reason: 'bad_id' })).toEqual([[first.run_id, 'rides_1.csv', 4], ...Array.from({ length: 1200 }, (_, i) => [second.run_id, 'deployments_many.csv', i + 2] as [string, string, number]), [second.run_id, 'rides_1.csv', 4]])
      expect((await rejectsWhere({ reason: 'bad_amount', kind: 'ride' })).length).toBe(4)
      expect(await rejectsWhere({ reason: 'resolved_before_created' })).toEqual([[first.run_id, 'deployments_1.csv', 2]])
      expect(await rejectsWhere({ runId: 'no such run' })).toEqual([])

      const duplicates = await collect(store.adapter.listDuplicates())
      expect(duplicates).toEqual(contents.duplicates)
      expect(duplicates.map((d) => [d.runId, d.line, d.classification])).toEqual([
        [first.run_id, 3, 'conflict'],
        [second.run_id, 2, 'exact'],
        [second.run_id, 3, 'conflict'],
      ])
      expect(duplicates[0]).toMatchObject({ key: fixtureId('R1'), kind: 'ride', source: 'rides_1.csv', kept: { amountCents: 250 }, incoming: { amountCents: 300 } })
      const duplicatesWhere = async (filter: LogFilter): Promise<[string, number][]> => (await collect(store.adapter.listDuplicates(filter))).map((d) => [d.runId, d.line])
      expect(await duplicatesWhere({ classification: 'exact' })).toEqual([[second.run_id, 2]])
      expect(await duplicatesWhere({ runId: second.run_id, classification: 'conflict' })).toEqual([[second.run_id, 3]])
      expect(await duplicatesWhere({ kind: 'deployment' })).toEqual([])
      expect(await duplicatesWhere({ source: 'rides_1.csv', runId: first.run_id })).toEqual([[first.run_id, 3]])
    }))

    test('a reject keeps its line, every reason and at most 1 KiB of its raw fields, and says when they were cut', withStore(async (store) => {
      const long = `${fixtureId('R1')},${fixtureId('V1')},${'9'.repeat(10_000)},2019-05-01 10:10:00 UTC,48.83,2.38,48.83,2.36,-1`
      const report = await ingest({ adapter: store.adapter, sources: [stream('rides_1.csv', csv(RIDE_HEADER, `bad,${'x,'.repeat(2000)}x`, long, ride('R2', 'V1', 10, '1')))] })
      expect(report.files[0]?.rejected).toEqual({ rows: 2, reasons: { wrong_column_count: 1, bad_timestamp: 1, bad_amount: 1 }, fields_truncated: 2 })
      const rejects = [...(await store.readBack()).rejects].sort((a, b) => a.line - b.line)
      expect(rejects.map((r) => [r.line, [...r.reasons].sort(), r.truncated])).toEqual([[2, ['wrong_column_count'], true], [3, ['bad_amount', 'bad_timestamp'], true]])
      for (const reject of rejects) expect(reject.fields.join('').length <= 1024).toBe(true)
      expect(rejects[1]?.fields.slice(0, 2)).toEqual([fixtureId('R1'), fixtureId('V1')])
    }))

    test('the first version of a key wins across the files of a run and over later runs, each duplicate counted in its own file', withStore(async (store) => {
      const first = await ingest({
        adapter: store.adapter,
        sources: [stream('rides_1.csv', csv(RIDE_HEADER, ride('R1', 'V1', 10, '2.50'))), stream('rides_2.csv', csv(RIDE_HEADER, ride('R2', 'V1', 10, '1.00'), ride('R1', 'V1', 10, '3.00'), ride('R2', 'V1', 10, '1.00')))],
      })
      expect(first.files.map((f) => [f.accepted, f.duplicates])).toEqual([
        [1, { exact: 0, conflict: 0 }],
        [1, { exact: 1, conflict: 1 }],
      ])
      const second = await ingest({ adapter: store.adapter, sources: [stream('rides_3.csv', csv(RIDE_HEADER, ride('R2', 'V1', 10, '9.99'), ride('R1', 'V1', 10, '2.50'), ride('R3', 'V1', 10, '4.00')))] })
      expect(second.files[0]).toMatchObject({ rows_read: 3, accepted: 1, duplicates: { exact: 1, conflict: 1 } })
      const contents = await store.readBack()
      const kept = contents.rows.flatMap((row) => (row.kind === 'ride' ? [[row.rideId, row.amountCents]] : [])).sort()
      expect(kept).toEqual([
        [fixtureId('R1'), 250],
        [fixtureId('R2'), 100],
        [fixtureId('R3'), 400],
      ])
      const conflicts = contents.duplicates.filter((d) => d.classification === 'conflict').sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.line - b.line))
      expect(conflicts.map((d) => [d.source, d.line, (d.kept as { amountCents: number }).amountCents, (d.incoming as { amountCents: number }).amountCents])).toEqual([
        ['rides_2.csv', 3, 250, 300],
        ['rides_3.csv', 2, 100, 999],
      ])
    }))

    test('decides every row as the first-wins oracle does, over random runs of files whose keys collide within files, across files and across runs', withStore(async (store) => {
      const random = new Random(0x5eed)
      const firstVersion = new Map<string, string>()
      for (let run = 0; run < 8; run++) {
        const files = Array.from({ length: random.int(1, 3) }, (_file, f) => {
          const kind = random.chance(0.5) ? ('ride' as const) : ('deployment' as const)
          // Few keys and two versions of each: exact and conflicting duplicates are common.
          const rows = Array.from({ length: random.int(0, 12) }, () => ({ key: random.int(0, 7), version: random.int(0, 1) }))
          const lines = rows.map(({ key, version }) =>
            kind === 'ride'
              ? ride(`R${key}`, `V${key % 3}`, 10 + version, version === 0 ? '2.50' : '3.00')
              : `${fixtureId(`D${key}`)},${fixtureId(`V${key % 3}`)},2019-05-0${1 + version} 10:00:00 UTC,2019-05-0${1 + version} 11:00:00 UTC`,
          )
          return { name: `batch_${run}_${f}.csv`, kind, rows, text: csv(kind === 'ride' ? RIDE_HEADER : DEPLOYMENT_HEADER, ...lines) }
        })
        const report = await ingest({ adapter: store.adapter, batchSize: 3, sources: files.map((file) => ({ name: file.name, kind: file.kind, stream: [file.text] })) })
        for (const [i, file] of files.entries()) {
          const expected = { accepted: 0, exact: 0, conflict: 0 }
          for (const { key, version } of file.rows) {
            const id = `${file.kind}:${key}`
            const first = firstVersion.get(id)
            if (first === undefined) {
              firstVersion.set(id, String(version))
              expected.accepted++
            } else expected[first === String(version) ? 'exact' : 'conflict']++
          }
          const got = report.files[i]
          expect({ accepted: got?.accepted, exact: got?.duplicates?.exact, conflict: got?.duplicates?.conflict }).toEqual(expected)
        }
      }
      const stored = (await store.readBack()).rows.map((row) => (row.kind === 'ride' ? `ride:${row.rideId}:${row.amountCents}` : `${row.kind}:${row.taskId}:${row.createdAt}`)).sort()
      const expectedRows = [...firstVersion].map(([id, version]) => {
        const [kind, key] = id.split(':') as [string, string]
        return kind === 'ride' ? `ride:${fixtureId(`R${key}`)}:${version === '0' ? 250 : 300}` : `deployment:${fixtureId(`D${key}`)}:${Date.UTC(2019, 4, 1 + Number(version), 10)}`
      })
      expect(stored).toEqual(expectedRows.sort())
    }), 120_000)

    test('hostile files never crash a run: BOM, CRLF, quoted line breaks, reordered and unknown columns, NUL, invalid UTF-8, SQL in ids, a multi-MB field; each file\'s accounting is exact and every reject has its line', withStore(async (store) => {
      const good = (id: string, amount = '2.50'): string => ride(id, 'VHOSTILE', 10, amount)
      const reordered = 'gross_amount,ride_id,vehicle_id,time_ride_start,time_ride_end,start_lat,start_lng,end_lat,end_lng,extra'
      const files: { name: string; bytes: Buffer | string; expect: { rows_read: number; accepted: number; rejectLines: number[] } | { error: string } }[] = [
        { name: 'rides_bom_crlf.csv', bytes: `\uFEFF${RIDE_HEADER}\r\n${good('HXA')}\r\n${good('HXB')}\r\n`, expect: { rows_read: 2, accepted: 2, rejectLines: [] } },
        { name: 'rides_quoted.csv', bytes: `${RIDE_HEADER}\n"${fixtureId('HXC')}",${fixtureId('VHOSTILE')},"2019-05-01 10:00:00 UTC","2019-05-01 10:10:00 UTC",48.83,2.38,48.83,2.36,"2.5\n0"\n${good('HXD')}\n`, expect: { rows_read: 2, accepted: 1, rejectLines: [2] } },
        { name: 'rides_reordered.csv', bytes: `${reordered}\n1.00,${fixtureId('HXE')},${fixtureId('VHOSTILE')},2019-05-01 10:00:00 UTC,2019-05-01 10:10:00 UTC,48.83,2.38,48.83,2.36,whatever\n`, expect: { rows_read: 1, accepted: 1, rejectLines: [] } },
        { name: 'rides_nul.csv', bytes: `${RIDE_HEADER}\n${good('HXF').replace('2.50', '2\u00000')}\n${good('HXG')}\n`, expect: { rows_read: 2, accepted: 1, rejectLines: [2] } },
        { name: 'rides_bad_utf8.csv', bytes: Buffer.concat([Buffer.from(`${RIDE_HEADER}\n`), Buffer.from(good('HXH').replace('VHOSTILE', 'VHOST\u00ffLE'), 'latin1'), Buffer.from(`\n${good('HXI')}\n`)]), expect: { rows_read: 2, accepted: 1, rejectLines: [2] } },
        { name: "rides_sql'; DROP TABLE rides; --.csv", bytes: `${RIDE_HEADER}\n'; DROP TABLE rides; --,${fixtureId('VHOSTILE')},2019-05-01 10:00:00 UTC,2019-05-01 10:10:00 UTC,48.83,2.38,48.83,2.36,1\n${good('HXJ')}\n`, expect: { rows_read: 2, accepted: 1, rejectLines: [2] } },
        { name: 'rides_huge_field.csv', bytes: `${RIDE_HEADER}\n${good('HXK')}\n${good('HXL').replace('2.50', `"${'9'.repeat(3 << 20)}\n${'9'.repeat(1000)}"`)}\n${good('HXM')}\n`, expect: { rows_read: 4, accepted: 2, rejectLines: [3, 4] } },
        { name: 'rides_header_only.csv', bytes: `${RIDE_HEADER}\n`, expect: { rows_read: 0, accepted: 0, rejectLines: [] } },
        { name: 'rides_empty.csv', bytes: '', expect: { error: 'missing_column' } },
        { name: 'rides_missing_column.csv', bytes: 'ride_id,vehicle_id\nx,y\n', expect: { error: 'missing_column' } },
      ]
      const report = await ingest({ adapter: store.adapter, sources: files.map((file) => ({ name: file.name, stream: [file.bytes] })) })
      expect(report.status).toBe('succeeded')
      const contents = await store.readBack()
      for (const file of files) {
        const got = report.files.find((f) => f.source === file.name)
        if ('error' in file.expect) {
          expect([file.name, got?.error?.code]).toEqual([file.name, file.expect.error])
          continue
        }
        const duplicates = (got?.duplicates?.exact ?? 0) + (got?.duplicates?.conflict ?? 0)
        expect([file.name, got?.rows_read, got?.accepted, (got?.accepted ?? 0) + duplicates + (got?.rejected?.rows ?? 0)]).toEqual([file.name, file.expect.rows_read, file.expect.accepted, file.expect.rows_read])
        expect([file.name, contents.rejects.filter((r) => r.source === file.name).map((r) => r.line).sort((a, b) => a - b)]).toEqual([file.name, file.expect.rejectLines])
      }
      expect(countOf(contents, 'ride')).toBe(9)
    }), 60_000)

    test('keeps every row with the seq core gave it: unique, in read order, and greater in each later run', withStore(async (store) => {
      await ingest({ adapter: store.adapter, sources: [stream('rides_1.csv', csv(RIDE_HEADER, ride('R1', 'V1', 10, '1'), ride('R2', 'V2', 11, '1')))] })
      const before = (await store.readBack()).rows
      await ingest({ adapter: store.adapter, sources: [stream('deployments_1.csv', csv(DEPLOYMENT_HEADER, `${fixtureId('D1')},${fixtureId('V1')},2019-05-01 09:00:00 UTC,2019-05-01 09:05:00 UTC`))] })
      const after = (await store.readBack()).rows
      const seqOf = (rows: StoredRow[], id: string): number => (rows.find((row) => (row.kind === 'ride' ? row.rideId : row.taskId) === fixtureId(id)) as StoredRow).seq
      expect(seqOf(before, 'R2')).toBeGreaterThan(seqOf(before, 'R1'))
      expect(seqOf(after, 'R1')).toBe(seqOf(before, 'R1'))
      expect(seqOf(after, 'D1')).toBeGreaterThan(seqOf(after, 'R2'))
      expect(new Set(after.map((row) => row.seq)).size).toBe(after.length)
    }))

    test('ingests generated batches with exactly the accounting the generator expects', withStore(async (store, dataDir) => {
      const data = dataDir(0.05, 11)
      const report = await ingest({ adapter: store.adapter, sources: [data.dir] })
      const { files: _files, ...totals } = data.expected.totals
      expect(report.totals).toEqual({ files: data.files.length, failed_files: 0, ...totals })
      for (const file of report.files) {
        const expected = data.expected.files[file.source]
        expect({ rows_read: file.rows_read, accepted: file.accepted, duplicates: file.duplicates, rejected: file.rejected }).toEqual(expected)
      }
      const stats = await store.adapter.stats()
      expect(stats.rows.deployments + stats.rows.pickups + stats.rows.rides).toBe(totals.accepted)
      expect(stats.duplicates).toEqual(totals.duplicates)
      expect(stats.rejected).toEqual(totals.rejected)
      expect(stats.runs).toMatchObject({ total: 1, succeeded: 1, failed: 0, lastRunId: report.run_id })
    }))

    test('progress goes read, store, refresh, commit, counts the store phase in steps to its total and gives the refresh its total before the first vehicle', withStore(async (store, dataDir) => {
      const data = dataDir(0.02, 12)
      const events: IngestProgress[] = []
      const report = await ingest({ adapter: store.adapter, sources: [data.dir], onProgress: (progress) => events.push(progress) })
      const steps = events.filter((e) => e.phase === 'store' && e.storeStep !== null).map((e) => e.storeStep as SettleStep)
      expect(steps.length).toBeGreaterThan(1)
      const total = steps[0]?.total
      expect(steps.map((step) => step.done)).toEqual(steps.map((_step, index) => index))
      expect(steps.every((step) => step.total === total && step.label.length > 0)).toBe(true)
      expect(steps[steps.length - 1]?.done).toBe(total)
      const refresh = events.filter((e) => e.phase === 'refresh')
      expect(refresh[0]).toMatchObject({ vehiclesRefreshed: 0, vehiclesToRefresh: report.vehicles_refreshed })
      expect(refresh[refresh.length - 1]).toMatchObject({ vehiclesRefreshed: report.vehicles_refreshed, vehiclesToRefresh: report.vehicles_refreshed })
      expect(events.map((e) => e.phase).filter((phase, i, all) => phase !== all[i - 1])).toEqual(['read', 'store', 'refresh', 'commit'])
    }))

    for (const path of [{ packedRows: true, name: 'the store\'s own refresh path' }, { packedRows: false, name: 'the plain refresh path' }]) {
      test(`the stored response of every vehicle equals core's response computed from the raw rows, by id and by qr code in any case (${path.name})`, withStore(async (store, dataDir) => {
        const data = dataDir(0.05, 12)
        await ingest({ adapter: store.adapter, sources: [data.dir], packedRows: path.packedRows })
        const reference = await referenceResponses(data.dir)
        expect((await store.readBack()).views.length).toBe(reference.size)
        await expectReferenceResponses(store.adapter, data.dir)
        for (const [vehicleId, expected] of reference) {
          if (expected.qr_code === null) continue
          const byQr = await store.adapter.lookup(parseVehicleKey(expected.qr_code.toLowerCase()) as NonNullable<ReturnType<typeof parseVehicleKey>>)
          // A reassigned QR code resolves to the vehicle with its most recent pickup, which may be another one.
          const owners = [...reference.values()].filter((r) => r.qr_code === expected.qr_code)
          if (owners.length === 1) expect(byQr?.vehicleId).toBe(vehicleId)
        }
        expect(await store.adapter.lookup({ type: 'vehicle_id', value: fixtureId('unknown') })).toBeNull()
        expect(await store.adapter.lookup({ type: 'qr_code', value: 'ZZZZZ9' })).toBeNull()
      }), 120_000)
    }

    test('ingesting the batches in several runs gives the same responses as one run', withStore(async (store, dataDir) => {
      const data = dataDir(0.03, 13)
      const weeks = [...new Set(data.files.map((f) => f.replace(/^[a-z]+_/, '')))].sort()
      for (const [i, week] of weeks.entries()) await ingest({ adapter: store.adapter, sources: [join(data.dir, `*_${week}`)], packedRows: i % 2 === 0 })
      await expectReferenceResponses(store.adapter, data.dir)
    }), 120_000)

    test('re-ingesting the same files stores nothing new and logs every row as a duplicate', withStore(async (store, dataDir) => {
      const data = dataDir(0.02, 14)
      const first = await ingest({ adapter: store.adapter, sources: [data.dir] })
      const before = await snapshot(store)
      const again = await ingest({ adapter: store.adapter, sources: [data.dir] })
      expect(again.totals.accepted).toBe(0)
      expect(again.totals.duplicates.exact + again.totals.duplicates.conflict).toBe(first.totals.rows_read - first.totals.rejected.rows)
      const after = await snapshot(store)
      expect({ ...after, duplicates: 0, rejects: 0 }).toEqual({ ...before, duplicates: 0, rejects: 0 })
      expect(after.dataVersion).toBe(before.dataVersion)
    }))

    test('a file already ingested can be skipped by its sha256 when the caller opts in', withStore(async (store, dataDir) => {
      const data = dataDir(0.01, 15)
      await ingest({ adapter: store.adapter, sources: [data.dir] })
      const again = await ingest({ adapter: store.adapter, sources: [data.dir], skipKnownFiles: true })
      expect(again.files.every((file) => file.skipped === true)).toBe(true)
      expect(again.totals.rows_read).toBe(0)
    }))

    test('gives every stored row of a vehicle with its seq, across runs, and none for an unknown vehicle', withStore(async (store, dataDir) => {
      const { dir } = dataDir(0.02, 17)
      await ingest({ adapter: store.adapter, sources: [dir] })
      await ingest({ adapter: store.adapter, sources: [stream('rides_late.csv', csv(RIDE_HEADER, ride('LATE1', 'VLATE', 10, '1.00')))] })
      const contents = await store.readBack()
      const bySeq = (a: StoredRow, b: StoredRow): number => a.seq - b.seq
      const vehicles = [...new Set(contents.rows.map((row) => row.vehicleId))].sort().slice(0, 25)
      vehicles.push(fixtureId('VLATE'))
      for (const vehicleId of vehicles) {
        const rows = [...(await store.adapter.vehicleRows(vehicleId))].sort(bySeq)
        expect(rows).toEqual(contents.rows.filter((row) => row.vehicleId === vehicleId).sort(bySeq))
      }
      expect(await store.adapter.vehicleRows(fixtureId('NOBODY'))).toEqual([])
    }))

    test('lists every key a lookup finds, with the data version it was read at', withStore(async (store, dataDir) => {
      const data = dataDir(0.01, 23)
      await ingest({ adapter: store.adapter, sources: [data.dir] })
      const { dataVersion } = await store.adapter.meta()
      const listed = new Set<string>()
      for await (const chunk of store.adapter.listKeys(100)) {
        expect(chunk.dataVersion).toBe(dataVersion)
        for (const key of chunk.keys) listed.add(`${key.type}:${key.value}`)
      }
      const contents = await store.readBack()
      const expected = new Set([...contents.views.map((v) => `vehicle_id:${v.vehicleId}`), ...contents.qrClaims.map((c) => `qr_code:${c.qrCode}`)])
      expect(listed.size).toBe(expected.size)
      expect([...listed].every((key) => expected.has(key))).toBe(true)
      for (const key of [...listed].slice(0, 50)) {
        const [type, value] = key.split(':') as ['vehicle_id' | 'qr_code', string]
        expect(await store.adapter.lookup({ type, value })).not.toBeNull()
      }
    }))

    test('many lookups at once (ids, QR codes, unknown keys, one key several times) each answer as a lone lookup does', withStore(async (store, dataDir) => {
      await ingest({ adapter: store.adapter, sources: [dataDir(0.1, 24).dir] })
      const keys: VehicleKey[] = []
      for await (const chunk of store.adapter.listKeys(100)) keys.push(...chunk.keys)
      expect(keys.length).toBeGreaterThan(700)
      // More keys than one batch of a store that batches, mixed types, repeats and misses.
      const asked = [...keys.slice(0, 700), ...keys.slice(0, 40), { type: 'vehicle_id' as const, value: fixtureId('unknown') }, { type: 'qr_code' as const, value: 'ZZZZZ9' }]
      const alone: (StoredView | null)[] = []
      for (const key of asked) alone.push(await store.adapter.lookup(key))
      expect(await Promise.all(asked.map((key) => store.adapter.lookup(key)))).toEqual(alone)
      expect(alone.filter((view) => view === null).length).toBe(2)
    }))

    /** A run aborted at the `nth` progress event of `phase`. */
    const abortedRun = (phase: IngestProgress['phase'], nth: number, extra: Partial<IngestOptions>) =>
      withStore(async (store, dataDir) => {
        await ingest({ adapter: store.adapter, sources: [dataDir(0.02, 16).dir], ...extra })
        const before = await snapshot(store)
        const controller = new AbortController()
        let batches = 0
        const run = ingest({
          adapter: store.adapter,
          sources: [dataDir(0.02, 17).dir],
          batchSize: 100,
          signal: controller.signal,
          ...extra,
          onProgress: (progress) => {
            if (progress.phase === phase && ++batches === nth) controller.abort()
          },
        })
        await expect(run).rejects.toMatchObject({ code: 'ingest_aborted' })
        expect(await snapshot(store)).toEqual(before)
        expect(runStatuses(await store.readBack())).toEqual(['succeeded', 'failed'])
        expect((await ingest({ adapter: store.adapter, sources: [dataDir(0.02, 17).dir] })).status).toBe('succeeded')
      })
    test('a run aborted while it reads leaves the store as it was, is recorded as failed, and the next run succeeds', abortedRun('read', 3, {}))
    test('a run aborted while it settles keys leaves the store as it was and is recorded as failed', abortedRun('store', 1, {}))
    test('a run aborted while views render on a worker thread leaves the store as it was and is recorded as failed', abortedRun('refresh', 1, { renderWorker: true }))

    test('a file missing a required column fails alone, names itself, and stores nothing of it', withStore(async (store) => {
      const report = await ingest({
        adapter: store.adapter,
        sources: [
          stream('rides_bad.csv', 'ride_id,vehicle_id\nx,y\n'),
          stream('deployments_ok.csv', csv(DEPLOYMENT_HEADER, `${fixtureId('D1')},${fixtureId('V1')},2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC`)),
          stream('notes.csv', 'a,b\n'),
        ],
      })
      expect(report.status).toBe('succeeded')
      expect(report.totals).toMatchObject({ files: 3, failed_files: 2, rows_read: 1, accepted: 1 })
      const failed = report.files.filter((file) => file.error !== null)
      expect(failed.map((file) => [file.source, file.error?.code])).toEqual([['notes.csv', 'unknown_kind'], ['rides_bad.csv', 'missing_column']])
      expect(failed[1]?.error?.message.includes('rides_bad.csv')).toBe(true)
      expect(failed[1]?.rows_read).toBe(undefined)
      expect(countOf(await store.readBack(), 'ride')).toBe(0)
    }))

    test('a file that fails half-way (a read error) is rolled back alone, its rejects too, and later rows of its vehicles are still refreshed', withStore(async (store) => {
      const vehicle = 'VHALF'
      async function* failingHalfWay(): AsyncGenerator<string> {
        yield `${RIDE_HEADER}\n${ride('R1', vehicle, 10, '2.50')}\n${ride('R2', vehicle, 11, '2.50')}\nnot,a,ride\n`
        throw Object.assign(new Error('disk read failed'), { code: 'EIO' })
      }
      // The failing file is the first to name the vehicle, so nothing else has touched it.
      const report = await ingest({
        adapter: store.adapter,
        batchSize: 1,
        sources: [{ name: 'rides_1.csv', stream: failingHalfWay() }, stream('rides_2.csv', csv(RIDE_HEADER, ride('R3', vehicle, 12, '2.50')))],
      })
      expect(report.files.map((file) => [file.source, file.error?.code ?? null, file.accepted ?? null])).toEqual([
        ['rides_1.csv', 'unreadable', null],
        ['rides_2.csv', null, 1],
      ])
      expect(report.files[0]?.error?.message).toMatch(/rides_1\.csv: disk read failed/)
      const contents = await store.readBack()
      expect(countOf(contents, 'ride')).toBe(1)
      expect(contents.rejects.length).toBe(0)
      const view = await store.adapter.lookup({ type: 'vehicle_id', value: fixtureId(vehicle) })
      expect(view).not.toBeNull()
      expect(JSON.parse(renderVehicleView(view as NonNullable<typeof view>, view?.asOf ?? null)).lifetime).toMatchObject({ cycles: 0, rides: 1, orphan_rides: 1 })
    }))

    test('two ingests at once are serialised: one stores the rows, the other sees them as duplicates', withStore(async (store, dataDir) => {
      const data = dataDir(0.02, 18)
      const other = await store.openAnother()
      try {
        const results = await Promise.allSettled([
          ingest({ adapter: store.adapter, sources: [data.dir], batchSize: 200 }),
          ingest({ adapter: other, sources: [data.dir], batchSize: 200 }),
          ingest({ adapter: store.adapter, sources: [data.dir], batchSize: 200 }),
        ])
        const reports = results.filter((r): r is PromiseFulfilledResult<IngestReport> => r.status === 'fulfilled').map((r) => r.value)
        for (const failed of results.filter((r) => r.status === 'rejected')) {
          expect((failed as PromiseRejectedResult).reason).toMatchObject({ code: 'store_busy' })
        }
        expect(reports.length).toBeGreaterThan(0)
        expect(reports.reduce((sum, r) => sum + r.totals.accepted, 0)).toBe(data.expected.totals.accepted)
        expect(reports.filter((r) => r.totals.accepted > 0).length).toBe(1)
        expect((await store.readBack()).rows.length).toBe(data.expected.totals.accepted)
      } finally {
        await other.close()
      }
    }), 120_000)

    test('the data version changes after each run that changed data, and only then', withStore(async (store, dataDir) => {
      const first = dataDir(0.01, 19)
      const v0 = (await store.adapter.meta()).dataVersion
      await ingest({ adapter: store.adapter, sources: [first.dir] })
      const v1 = (await store.adapter.meta()).dataVersion
      await ingest({ adapter: store.adapter, sources: [first.dir] })
      const v2 = (await store.adapter.meta()).dataVersion
      await ingest({ adapter: store.adapter, sources: [dataDir(0.01, 20).dir] })
      const v3 = (await store.adapter.meta()).dataVersion
      expect(v1).toBeGreaterThan(v0)
      expect(v2).toBe(v1)
      expect(v3).toBeGreaterThan(v2)
    }))

    test('a later as_of moves the open cycle figures of a vehicle the run did not touch, without re-rendering it', withStore(async (store) => {
      const open = fixtureId('VOPEN')
      await ingest({
        adapter: store.adapter,
        sources: [
          stream('deployments_1.csv', csv(DEPLOYMENT_HEADER, `${fixtureId('D1')},${open},2019-05-01 09:00:00 UTC,2019-05-01 10:00:00 UTC`)),
          stream('rides_1.csv', csv(RIDE_HEADER, ride('R1', 'VOPEN', 11, '2.50'))),
        ],
      })
      const hashOf = async (): Promise<string | undefined> => (await store.readBack()).views.find((view) => view.vehicleId === open)?.contentHash
      const before = await hashOf()
      const report = await ingest({
        adapter: store.adapter,
        sources: [stream('rides_2.csv', csv(RIDE_HEADER, `${fixtureId('R2')},${fixtureId('VOTHER')},2019-05-02 10:00:00 UTC,2019-05-02 10:00:00 UTC,48.83,2.38,48.83,2.36,1`))],
      })
      expect(report.vehicles_refreshed).toBe(1)
      expect(await hashOf()).toBe(before)
      const view = await store.adapter.lookup({ type: 'vehicle_id', value: open })
      const response = JSON.parse(view === null ? 'null' : renderVehicleView(view, view.asOf))
      expect(response.as_of).toBe('2019-05-02T10:00:00.000Z')
      expect(response.current_cycle).toMatchObject({ street_time_s: 86_400, ride_time_s: 600, utilization: 0.0069, revenue_per_street_hour: 0.1 })
    }))

    test('a run with another selection policy re-renders every vehicle with it, even without new rows', withStore(async (store, dataDir) => {
      const data = dataDir(0.01, 22)
      await ingest({ adapter: store.adapter, sources: [data.dir], policy: 'recent' })
      const before = await store.adapter.meta()
      const report = await ingest({ adapter: store.adapter, sources: [data.dir], policy: 'revenue' })
      expect(report.totals.accepted).toBe(0)
      expect(report.vehicles_refreshed).toBe((await store.readBack()).views.length)
      expect(await store.adapter.meta()).toMatchObject({ policy: 'revenue', dataVersion: before.dataVersion + 1 })
      await expectReferenceResponses(store.adapter, data.dir, 'revenue')
    }))

    test('a QR code seen on another vehicle resolves to the vehicle of its most recent pickup, with ingest order breaking ties', withStore(async (store) => {
      const [a, b] = [fixtureId('VA'), fixtureId('VB')]
      await ingest({
        adapter: store.adapter,
        sources: [stream('pickups_1.csv', csv(PICKUP_HEADER, `${fixtureId('P1')},${a},qr0001,2019-05-01 10:00:00 UTC,2019-05-01 11:00:00 UTC`, `${fixtureId('P2')},${b},QR0001,2019-05-02 10:00:00 UTC,2019-05-02 11:00:00 UTC`))],
      })
      expect((await store.adapter.lookup({ type: 'qr_code', value: 'QR0001' }))?.vehicleId).toBe(b)
      await ingest({ adapter: store.adapter, sources: [stream('pickups_2.csv', csv(PICKUP_HEADER, `${fixtureId('P3')},${a},QR0001,2019-05-03 10:00:00 UTC,2019-05-03 11:00:00 UTC`))] })
      expect((await store.adapter.lookup({ type: 'qr_code', value: 'QR0001' }))?.vehicleId).toBe(a)
      // Same times on both vehicles: the pickup ingested later decides.
      await ingest({ adapter: store.adapter, sources: [stream('pickups_3.csv', csv(PICKUP_HEADER, `${fixtureId('P4')},${b},QR0001,2019-05-03 10:00:00 UTC,2019-05-03 11:00:00 UTC`))] })
      expect((await store.adapter.lookup({ type: 'qr_code', value: 'QR0001' }))?.vehicleId).toBe(b)
    }))

    test('stats count what the store holds: rows, vehicles, duplicates, rejects by reason, runs', withStore(async (store) => {
      await ingest({ adapter: store.adapter, sources: [stream('rides_1.csv', csv(RIDE_HEADER, ride('R1', 'V1', 10, '1'), ride('R1', 'V1', 10, '2'), `${fixtureId('R9')},${fixtureId('V1')},nope,2019-05-01 10:00:00 UTC,48.83,2.38,48.83,2.36,1`))] })
      const stats = await store.adapter.stats()
      expect(stats).toMatchObject({
        rows: { deployments: 0, pickups: 0, rides: 1 },
        vehicles: 1,
        duplicates: { exact: 0, conflict: 1 },
        rejected: { rows: 1, reasons: { bad_timestamp: 1 } },
        runs: { total: 1, succeeded: 1, failed: 0 },
        asOf: '2019-05-01T10:10:00.000Z',
      })
    }))
  })
}
