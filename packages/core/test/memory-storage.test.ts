import { describe, expect, test } from 'vitest'
import { createMemoryStorage, ingest } from '@vehicle-perf/core'
import { runStorageConformanceSuite, type ConformanceStore, type StoreContents } from '@vehicle-perf/core/testing'
import { hostileCsvProperty } from '../../../scripts/test-support/hostile-csv-property.js'
import { MemoryDatabase } from '../src/storage/memory-storage.js'

/** The memory store's contents, read from its database (not through the adapter). */
function contentsOf(database: MemoryDatabase): StoreContents {
  return {
    rows: [...database.rows.values()].flat(),
    rejects: database.rejects.map(({ runId, source, line, kind, fields, truncated, reasons }) => ({ runId, source, line, kind, fields, truncated, reasons })),
    duplicates: database.duplicates.map(({ runId, kind, key, source, line, classification, kept, incoming }) => ({ runId, kind, key, source, line, classification, kept, incoming })),
    views: [...database.views.values()].map(({ vehicleId, contentHash }) => ({ vehicleId, contentHash })),
    qrClaims: [...database.claims].flatMap(([qrCode, owners]) => [...owners].map(([vehicleId, recency]) => ({ vehicleId, qrCode, recency }))),
    runs: database.runs.map((run) => ({ runId: run.run_id, status: run.status, startedAt: run.started_at })),
  }
}

async function createStore(): Promise<ConformanceStore> {
  const database = new MemoryDatabase()
  return {
    adapter: createMemoryStorage({ database, lockTimeoutMs: 20_000 }),
    readBack: async () => contentsOf(database),
    openAnother: async () => createMemoryStorage({ database, lockTimeoutMs: 20_000 }),
    cleanup: async () => {},
  }
}

runStorageConformanceSuite({ describe, test, expect, createStore })

describe('hostile CSV', () => hostileCsvProperty(createStore))

describe('memory store specifics', () => {
  test('an ingest waiting for another fails with store_busy at its timeout, and the queue goes on after it', async () => {
    const database = new MemoryDatabase()
    const holder = createMemoryStorage({ database })
    const waiting = createMemoryStorage({ database, lockTimeoutMs: 50 })
    const staging = await holder.beginIngest({ runId: 'held', startedAt: new Date() })
    await expect(ingest({ adapter: waiting, sources: [{ name: 'deployments.csv', stream: ['task_id,vehicle_id,time_task_created,time_task_resolved\n'] }] })).rejects.toMatchObject({ code: 'store_busy', store: 'memory' })
    const refresh = await staging.settleKeys({ chunkSize: 10, everyVehicle: false, onDuplicates: () => [] })
    await refresh.commit(
      { run_id: 'held', status: 'succeeded', started_at: new Date().toISOString(), finished_at: null, as_of: null, policy: 'recent', files: [], vehicles_refreshed: 0, data_version: 0, totals: { files: 0, failed_files: 0, rows_read: 0, accepted: 0, duplicates: { exact: 0, conflict: 0 }, rejected: { rows: 0, reasons: {} } } },
      { asOf: null, dataVersion: 0, policy: 'recent', nextSeq: 1 },
    )
    const report = await ingest({ adapter: waiting, sources: [{ name: 'deployments.csv', stream: ['task_id,vehicle_id,time_task_created,time_task_resolved\n'] }] })
    expect(report.status).toBe('succeeded')
  })

  test('a closed store says so instead of answering', async () => {
    const store = createMemoryStorage()
    await store.close()
    await expect(store.meta()).rejects.toMatchObject({ code: 'store_unreachable', store: 'memory' })
  })
})
