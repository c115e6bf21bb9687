import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from '../generator/generate.js'
import { ingest, type IngestProgress } from '../ingest/ingest.js'
import type { IngestReport } from '../ingest/ingest-report.js'
import { renderVehicleView } from '../response/vehicle-response.js'
import { parseVehicleKey } from '../values/ids.js'
import type { RowKind } from '../rows/kinds.js'
import type { OperationRow } from '../rows/row-types.js'
import type { ResolveStep, StorageAdapter } from '../storage/storage-adapter.js'
import { csv, DEPLOYMENT_HEADER, fixtureId, PICKUP_HEADER, referenceResponses, RIDE_HEADER } from './conformance-fixtures.js'

/** The subset of vitest's `expect` the suite uses, so core does not depend on vitest. */
export interface ConformanceExpect {
  (actual: unknown): {
    toBe(expected: unknown): void
    toEqual(expected: unknown): void
    toBeNull(): void
    not: { toBeNull(): void }
    toBeGreaterThan(expected: number): void
    toMatchObject(expected: object): void
    rejects: { toMatchObject(expected: object): Promise<void> }
  }
}

export interface ConformanceStore {
  adapter: StorageAdapter
  /** Reads back with the store's own SQL, never through the adapter under test. */
  query(sql: string): Promise<Record<string, unknown>[]>
  /**
   * Every stored row, read back with the store's own code for its row format
   * (another connection, never the adapter under test): stores may keep rows
   * packed rather than one per table row.
   */
  storedRows(): Promise<OperationRow[]>
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

async function count(store: ConformanceStore, table: string): Promise<number> {
  const [row] = await store.query(`SELECT count(*) AS n FROM ${table}`)
  return Number(row?.n)
}

/** Stored rows of a kind, read back with the store's own decoder (rows may be packed). */
async function countRows(store: ConformanceStore, kind: RowKind): Promise<number> {
  return (await store.storedRows()).filter((row) => row.kind === kind).length
}

async function snapshot(store: ConformanceStore): Promise<Record<string, number>> {
  const tables = ['rejected_rows', 'duplicate_rows', 'vehicle_views', 'qr_claims']
  const counts: Record<string, number> = {}
  for (const kind of ['deployment', 'pickup', 'ride'] as const) counts[kind] = await countRows(store, kind)
  for (const table of tables) counts[table] = await count(store, table)
  const meta = await store.adapter.meta()
  counts.data_version = meta.dataVersion
  counts.as_of = meta.asOf ?? -1
  return counts
}

function stream(name: string, text: string): { name: string; stream: string[] } {
  return { name, stream: [text] }
}

/**
 * The behaviour every StorageAdapter must have. An adapter's own test file
 * calls this once with its store factory:
 *
 *   runStorageConformanceSuite({ describe, test, expect, createStore: ... })
 */
export function runStorageConformanceSuite(options: ConformanceSuiteOptions): void {
  const { describe, test, expect } = options
  const dirs: string[] = []
  const dataDir = (scale: number, seed: number): { dir: string; expected: ReturnType<typeof generate>['expected']; files: string[] } => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-conformance-'))
    dirs.push(dir)
    const result = generate({ outDir: dir, scale, seed, anomalies: { malformed: 0.01, conflictDuplicate: 0.01, exactDuplicate: 0.01 } })
    return { dir, expected: result.expected, files: result.files }
  }
  const withStore = (body: (store: ConformanceStore) => Promise<void>) => async (): Promise<void> => {
    const store = await options.createStore()
    try {
      await store.adapter.migrate()
      await body(store)
    } finally {
      await store.adapter.close()
      await store.cleanup()
    }
  }

  describe('storage adapter conformance', () => {
    test('migrations are idempotent', withStore(async (store) => {
      await store.adapter.migrate()
      await store.adapter.migrate()
      const report = await ingest({ adapter: store.adapter, sources: [stream('deployments.csv', csv(DEPLOYMENT_HEADER, `${fixtureId('D1')},${fixtureId('V1')},2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC`))] })
      expect(report.totals.accepted).toBe(1)
      await store.adapter.migrate()
      expect(await countRows(store, 'deployment')).toBe(1)
    }))

    test('stores new rows and logs exact and conflicting duplicates and rejects with their line and reasons', withStore(async (store) => {
      const good = `${fixtureId('R1')},${fixtureId('V1')},2019-05-01 10:00:00 UTC,2019-05-01 10:10:00 UTC,48.83,2.38,48.83,2.36,2.50`
      const report = await ingest({
        adapter: store.adapter,
        sources: [
          stream(
            'rides_1.csv',
            csv(
              RIDE_HEADER,
              good,
              good.replace('2.50', '2.5'),
              good.replace('2.50', '3.00'),
              `${fixtureId('R2')},bad,2019-05-01 10:00:00 UTC,2019-05-01 09:00:00 UTC,48.83,2.38,48.83,2.36,-1`,
            ),
          ),
        ],
      })
      expect(report.files[0]).toMatchObject({ rows_read: 4, accepted: 1, duplicates: { exact: 1, conflict: 1 }, rejected: { rows: 1, reasons: { bad_id: 1, ride_ends_before_start: 1, bad_amount: 1 } } })
      expect(await countRows(store, 'ride')).toBe(1)
      const duplicates = await store.query('SELECT line, classification, kept, incoming FROM duplicate_rows ORDER BY line')
      expect(duplicates.map((d) => [Number(d.line), d.classification])).toEqual([[3, 'exact'], [4, 'conflict']])
      expect(JSON.parse(String(duplicates[1]?.incoming))).toMatchObject({ amountCents: 300 })
      expect(JSON.parse(String(duplicates[1]?.kept))).toMatchObject({ amountCents: 250 })
      const rejects = await store.query('SELECT line, source, reasons FROM rejected_rows')
      expect(rejects.map((r) => [Number(r.line), r.source, String(r.reasons).split(',').sort()])).toEqual([[5, 'rides_1.csv', ['bad_amount', 'bad_id', 'ride_ends_before_start']]])
    }))

    test('the first version of a key wins across the files of a run and over later runs, each duplicate counted in its own file', withStore(async (store) => {
      const ride = (id: string, amount: string): string => `${fixtureId(id)},${fixtureId('V1')},2019-05-01 10:00:00 UTC,2019-05-01 10:10:00 UTC,48.83,2.38,48.83,2.36,${amount}`
      const first = await ingest({
        adapter: store.adapter,
        sources: [stream('rides_1.csv', csv(RIDE_HEADER, ride('R1', '2.50'))), stream('rides_2.csv', csv(RIDE_HEADER, ride('R2', '1.00'), ride('R1', '3.00'), ride('R2', '1.00')))],
      })
      expect(first.files.map((f) => [f.accepted, f.duplicates])).toEqual([
        [1, { exact: 0, conflict: 0 }],
        [1, { exact: 1, conflict: 1 }],
      ])
      const second = await ingest({ adapter: store.adapter, sources: [stream('rides_3.csv', csv(RIDE_HEADER, ride('R2', '9.99'), ride('R1', '2.50'), ride('R3', '4.00')))] })
      expect(second.files[0]).toMatchObject({ rows_read: 3, accepted: 1, duplicates: { exact: 1, conflict: 1 } })
      const kept = (await store.storedRows()).flatMap((row) => (row.kind === 'ride' ? [[row.rideId, row.amountCents]] : [])).sort()
      expect(kept).toEqual([
        [fixtureId('R1'), 250],
        [fixtureId('R2'), 100],
        [fixtureId('R3'), 400],
      ])
      const conflicts = await store.query(`SELECT source, line, kept, incoming FROM duplicate_rows WHERE classification = 'conflict' ORDER BY source, line`)
      expect(conflicts.map((d) => [d.source, Number(d.line), JSON.parse(String(d.kept)).amountCents, JSON.parse(String(d.incoming)).amountCents])).toEqual([
        ['rides_2.csv', 3, 250, 300],
        ['rides_3.csv', 2, 100, 999],
      ])
    }))

    test('ingests generated batches with exactly the accounting the generator expects', withStore(async (store) => {
      const data = dataDir(0.05, 11)
      const report = await ingest({ adapter: store.adapter, sources: [data.dir] })
      const { files: _files, ...totals } = data.expected.totals
      expect(report.totals).toEqual({ files: data.files.length, failed_files: 0, ...totals })
      for (const file of report.files) {
        const expected = data.expected.files[file.source]
        expect({ rows_read: file.rows_read, accepted: file.accepted, duplicates: file.duplicates, rejected: file.rejected }).toEqual(expected)
      }
    }))

    test('progress goes read, store, refresh, commit, counts the store phase in steps to its total and gives the refresh its total before the first vehicle', withStore(async (store) => {
      const data = dataDir(0.02, 12)
      const events: IngestProgress[] = []
      const report = await ingest({ adapter: store.adapter, sources: [data.dir], onProgress: (progress) => events.push(progress) })
      const steps = events.filter((e) => e.phase === 'store' && e.storeStep !== null).map((e) => e.storeStep as ResolveStep)
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

    test('the stored response of every vehicle equals core\'s response computed from the raw rows, by id and by qr code in any case', withStore(async (store) => {
      const data = dataDir(0.05, 12)
      await ingest({ adapter: store.adapter, sources: [data.dir] })
      const reference = await referenceResponses(data.dir)
      expect(await count(store, 'vehicle_views')).toBe(reference.size)
      for (const [vehicleId, expected] of reference) {
        const view = await store.adapter.lookup({ type: 'vehicle_id', value: vehicleId })
        expect(view === null ? null : renderVehicleView(view, view.asOf)).toBe(JSON.stringify(expected))
        if (expected.qr_code !== null) {
          const byQr = await store.adapter.lookup(parseVehicleKey(expected.qr_code.toLowerCase()) as NonNullable<ReturnType<typeof parseVehicleKey>>)
          // A reassigned QR code resolves to the vehicle with its most recent pickup, which may be another one.
          const owner = [...reference.values()].filter((r) => r.qr_code === expected.qr_code)
          if (owner.length === 1) expect(byQr?.vehicleId).toBe(vehicleId)
        }
      }
      expect(await store.adapter.lookup({ type: 'vehicle_id', value: fixtureId('unknown') })).toBeNull()
      expect(await store.adapter.lookup({ type: 'qr_code', value: 'ZZZZZ9' })).toBeNull()
    }), 120_000)

    test('ingesting the batches in several runs gives the same responses as one run', withStore(async (store) => {
      const data = dataDir(0.03, 13)
      const weeks = [...new Set(data.files.map((f) => f.replace(/^[a-z]+_/, '')))].sort()
      for (const week of weeks) await ingest({ adapter: store.adapter, sources: [join(data.dir, `*_${week}`)] })
      const reference = await referenceResponses(data.dir)
      for (const [vehicleId, expected] of reference) {
        const view = await store.adapter.lookup({ type: 'vehicle_id', value: vehicleId })
        expect(view === null ? null : renderVehicleView(view, view.asOf)).toBe(JSON.stringify(expected))
      }
    }), 120_000)

    test('re-ingesting the same files stores nothing new and logs every row as a duplicate', withStore(async (store) => {
      const data = dataDir(0.02, 14)
      const first = await ingest({ adapter: store.adapter, sources: [data.dir] })
      const before = await snapshot(store)
      const again = await ingest({ adapter: store.adapter, sources: [data.dir] })
      expect(again.totals.accepted).toBe(0)
      expect(again.totals.duplicates.exact + again.totals.duplicates.conflict).toBe(first.totals.rows_read - first.totals.rejected.rows)
      const after = await snapshot(store)
      expect({ ...after, duplicate_rows: 0, rejected_rows: 0 }).toEqual({ ...before, duplicate_rows: 0, rejected_rows: 0 })
      expect(after.data_version).toBe(before.data_version)
    }))

    test('a file already ingested can be skipped by its sha256 when the caller opts in', withStore(async (store) => {
      const data = dataDir(0.01, 15)
      await ingest({ adapter: store.adapter, sources: [data.dir] })
      const again = await ingest({ adapter: store.adapter, sources: [data.dir], skipKnownFiles: true })
      expect(again.files.every((file) => file.skipped === true)).toBe(true)
      expect(again.totals.rows_read).toBe(0)
    }))

    test('lists every key a lookup finds, with the data version it was read at', withStore(async (store) => {
      const data = dataDir(0.01, 23)
      await ingest({ adapter: store.adapter, sources: [data.dir] })
      const { dataVersion } = await store.adapter.meta()
      const listed = new Set<string>()
      for await (const chunk of store.adapter.listKeys(100)) {
        expect(chunk.dataVersion).toBe(dataVersion)
        for (const key of chunk.keys) listed.add(`${key.type}:${key.value}`)
      }
      const views = await store.query('SELECT vehicle_id FROM vehicle_views')
      const claims = await store.query('SELECT DISTINCT qr_code FROM qr_claims')
      const expected = new Set([...views.map((v) => `vehicle_id:${String(v.vehicle_id)}`), ...claims.map((c) => `qr_code:${String(c.qr_code)}`)])
      expect(listed.size).toBe(expected.size)
      expect([...listed].every((key) => expected.has(key))).toBe(true)
      for (const key of [...listed].slice(0, 50)) {
        const [type, value] = key.split(':') as ['vehicle_id' | 'qr_code', string]
        expect(await store.adapter.lookup({ type, value })).not.toBeNull()
      }
    }))

    test('a failed (aborted) run leaves the store as it was and is recorded as failed', withStore(async (store) => {
      const first = dataDir(0.02, 16)
      await ingest({ adapter: store.adapter, sources: [first.dir] })
      const before = await snapshot(store)
      const second = dataDir(0.02, 17)
      const controller = new AbortController()
      let batches = 0
      const run = ingest({
        adapter: store.adapter,
        sources: [second.dir],
        batchSize: 100,
        signal: controller.signal,
        onProgress: () => {
          if (++batches === 5) controller.abort()
        },
      })
      await expect(run).rejects.toMatchObject({ code: 'ingest_aborted' })
      expect(await snapshot(store)).toEqual(before)
      const runs = await store.query(`SELECT status FROM ingest_runs ORDER BY started_at`)
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed'])
    }))

    test('a run aborted while views render on a worker thread leaves the store as it was and is recorded as failed', withStore(async (store) => {
      const first = dataDir(0.02, 18)
      await ingest({ adapter: store.adapter, sources: [first.dir], renderWorker: true })
      const before = await snapshot(store)
      const second = dataDir(0.02, 19)
      const controller = new AbortController()
      const run = ingest({
        adapter: store.adapter,
        sources: [second.dir],
        renderWorker: true,
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.phase === 'refresh') controller.abort()
        },
      })
      await expect(run).rejects.toMatchObject({ code: 'ingest_aborted' })
      expect(await snapshot(store)).toEqual(before)
      const runs = await store.query(`SELECT status FROM ingest_runs ORDER BY started_at`)
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed'])
    }))

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
      expect(await countRows(store, 'ride')).toBe(0)
    }))

    test('a file that fails half-way (a read error) is rolled back alone, and later rows of its vehicles are still refreshed', withStore(async (store) => {
      const vehicle = fixtureId('VHALF')
      const ride = (n: number, hour: number): string => `${fixtureId(`R${n}`)},${vehicle},2019-05-01 ${String(hour).padStart(2, '0')}:00:00 UTC,2019-05-01 ${String(hour).padStart(2, '0')}:10:00 UTC,48.83,2.38,48.83,2.36,2.50`
      async function* failingHalfWay(): AsyncGenerator<string> {
        yield `${RIDE_HEADER}\n${ride(1, 10)}\n${ride(2, 11)}\n`
        throw Object.assign(new Error('disk read failed'), { code: 'EIO' })
      }
      // The failing file is the first to name the vehicle, so nothing else has touched it.
      const report = await ingest({
        adapter: store.adapter,
        batchSize: 1,
        sources: [{ name: 'rides_1.csv', stream: failingHalfWay() }, stream('rides_2.csv', csv(RIDE_HEADER, ride(3, 12)))],
      })
      expect(report.files.map((file) => [file.source, file.error?.code ?? null, file.accepted ?? null])).toEqual([
        ['rides_1.csv', 'unreadable', null],
        ['rides_2.csv', null, 1],
      ])
      expect(await countRows(store, 'ride')).toBe(1)
      const view = await store.adapter.lookup({ type: 'vehicle_id', value: vehicle })
      expect(view).not.toBeNull()
      expect(JSON.parse(renderVehicleView(view as NonNullable<typeof view>, view?.asOf ?? null)).lifetime).toMatchObject({ cycles: 0, rides: 1, orphan_rides: 1 })
    }))

    test('two ingests at once are serialised: one stores the rows, the other sees them as duplicates', withStore(async (store) => {
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
        expect(await countRows(store, 'ride') + (await countRows(store, 'deployment')) + (await countRows(store, 'pickup'))).toBe(data.expected.totals.accepted)
      } finally {
        await other.close()
      }
    }), 120_000)

    test('the data version changes after each run that changed data, and only then', withStore(async (store) => {
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
          stream('rides_1.csv', csv(RIDE_HEADER, `${fixtureId('R1')},${open},2019-05-01 11:00:00 UTC,2019-05-01 11:10:00 UTC,48.83,2.38,48.83,2.36,2.50`)),
        ],
      })
      const before = await store.query(`SELECT content_hash FROM vehicle_views WHERE vehicle_id = '${open}'`)
      const report = await ingest({
        adapter: store.adapter,
        sources: [stream('rides_2.csv', csv(RIDE_HEADER, `${fixtureId('R2')},${fixtureId('VOTHER')},2019-05-02 10:00:00 UTC,2019-05-02 10:00:00 UTC,48.83,2.38,48.83,2.36,1`))],
      })
      expect(report.vehicles_refreshed).toBe(1)
      expect(await store.query(`SELECT content_hash FROM vehicle_views WHERE vehicle_id = '${open}'`)).toEqual(before)
      const view = await store.adapter.lookup({ type: 'vehicle_id', value: open })
      const response = JSON.parse(view === null ? 'null' : renderVehicleView(view, view.asOf))
      expect(response.as_of).toBe('2019-05-02T10:00:00.000Z')
      expect(response.current_cycle).toMatchObject({ street_time_s: 86_400, ride_time_s: 600, utilization: 0.0069, revenue_per_street_hour: 0.1 })
    }))

    test('a run with another selection policy re-renders every vehicle with it, even without new rows', withStore(async (store) => {
      const data = dataDir(0.01, 22)
      await ingest({ adapter: store.adapter, sources: [data.dir], policy: 'recent' })
      const before = await store.adapter.meta()
      const report = await ingest({ adapter: store.adapter, sources: [data.dir], policy: 'revenue' })
      expect(report.totals.accepted).toBe(0)
      expect(report.vehicles_refreshed).toBe(await count(store, 'vehicle_views'))
      const after = await store.adapter.meta()
      expect(after).toMatchObject({ policy: 'revenue', dataVersion: before.dataVersion + 1 })
      const reference = await referenceResponses(data.dir, 'revenue')
      for (const [vehicleId, expected] of reference) {
        const view = await store.adapter.lookup({ type: 'vehicle_id', value: vehicleId })
        expect(view === null ? null : renderVehicleView(view, view.asOf)).toBe(JSON.stringify(expected))
      }
    }))

    test('a QR code seen on another vehicle resolves to the vehicle of its most recent pickup', withStore(async (store) => {
      const [a, b] = [fixtureId('VA'), fixtureId('VB')]
      await ingest({
        adapter: store.adapter,
        sources: [stream('pickups_1.csv', csv(PICKUP_HEADER, `${fixtureId('P1')},${a},qr0001,2019-05-01 10:00:00 UTC,2019-05-01 11:00:00 UTC`, `${fixtureId('P2')},${b},QR0001,2019-05-02 10:00:00 UTC,2019-05-02 11:00:00 UTC`))],
      })
      expect((await store.adapter.lookup({ type: 'qr_code', value: 'QR0001' }))?.vehicleId).toBe(b)
      await ingest({ adapter: store.adapter, sources: [stream('pickups_2.csv', csv(PICKUP_HEADER, `${fixtureId('P3')},${a},QR0001,2019-05-03 10:00:00 UTC,2019-05-03 11:00:00 UTC`))] })
      expect((await store.adapter.lookup({ type: 'qr_code', value: 'QR0001' }))?.vehicleId).toBe(a)
    }))

    test('cleans up its temporary data', async () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
      expect(dirs.length).toBe(0)
    })
  })
}
