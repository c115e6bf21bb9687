import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { runStorageConformanceSuite, type ConformanceStore } from '@vehicle-perf/core/testing'
import { hostileCsvProperty } from '../../../scripts/test-support/hostile-csv-property.js'
import { ingest } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { MIGRATIONS } from '../src/migrations.js'
import { storeContentsOf, storedRowsIn } from './store-contents.js'
import { eventually } from '../../../scripts/test-support/eventually.js'
import { deployment, deploymentsCsv, pragmaOf, withStoreFile } from './store-files.js'
import fc from 'fast-check'
import type { OperationRow } from '@vehicle-perf/core'
import { packedRowSizeAt, unpackRow, PACKED_ROWS_FORMAT } from '@vehicle-perf/core/packed-rows'
import { KEY_PARTITIONS, keyHashHi, keyHashLo, keyPartOf } from '@vehicle-perf/core/spilled-run'


async function createStore(): Promise<ConformanceStore> {
  const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-'))
  const filename = join(dir, 'store.db')
  const adapter = createSqliteStorage({ filename, lockTimeoutMs: 20_000 })
  return {
    adapter,
    async readBack() {
      return storeContentsOf(filename)
    },
    async openAnother() {
      const other = createSqliteStorage({ filename, lockTimeoutMs: 20_000 })
      await other.migrate()
      return other
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

runStorageConformanceSuite({ describe, test, expect, createStore })

describe('hostile CSV', () => hostileCsvProperty(createStore))

describe('sqlite specifics', () => {
  const header = 'task_id,vehicle_id,time_task_created,time_task_resolved'

  test('lookups during an ingest see the last committed state, never a run half-done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-'))
    const adapter = createSqliteStorage({ filename: join(dir, 'store.db') })
    try {
      await adapter.migrate()
      const { ingest } = await import('@vehicle-perf/core')
      await ingest({ adapter, sources: [{ name: 'deployments_1.csv', stream: [`${header}\n${deployment(1)}\n`] }] })
      const before = await adapter.meta()
      let seenDuringRun: Awaited<ReturnType<typeof adapter.meta>> | null = null
      let viewDuringRun: unknown = 'unset'
      await ingest({
        adapter,
        batchSize: 2,
        sources: [{ name: 'deployments_2.csv', stream: [`${header}\n${[2, 3, 4, 5, 6].map(deployment).join('\n')}\n`] }],
        onProgress: () => {
          void adapter.meta().then((meta) => (seenDuringRun ??= meta))
          void adapter.lookup({ type: 'vehicle_id', value: `V${String(5).padStart(19, '0')}` }).then((view) => {
            if (viewDuringRun === 'unset') viewDuringRun = view
          })
        },
      })
      expect(seenDuringRun).toEqual(before)
      expect(viewDuringRun).toBeNull()
      expect((await adapter.meta()).dataVersion).toBe(before.dataVersion + 1)
    } finally {
      await adapter.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('an ingest waiting for another connection\'s lock keeps the event loop free and fails clearly at its timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-'))
    const filename = join(dir, 'store.db')
    const setup = createSqliteStorage({ filename })
    await setup.migrate()
    await setup.close()
    const holder = new Database(filename)
    holder.exec('BEGIN IMMEDIATE')
    const waiting = createSqliteStorage({ filename, lockTimeoutMs: 300 })
    try {
      let ticks = 0
      const timer = setInterval(() => ticks++, 10)
      const { ingest } = await import('@vehicle-perf/core')
      const run = ingest({ adapter: waiting, sources: [{ name: 'deployments_1.csv', stream: [`${header}\n${deployment(1)}\n`] }] })
      await expect(run).rejects.toMatchObject({ code: 'store_busy' })
      clearInterval(timer)
      expect(ticks).toBeGreaterThan(10)
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
      await waiting.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the demo data at full size', () => {
  test('at scale 1 with every anomaly on, the run report equals the generator\'s expected accounting, file by file', async () => {
    const { generate, ingest, DEFAULT_ANOMALY_RATES } = await import('@vehicle-perf/core')
    expect(Object.values(DEFAULT_ANOMALY_RATES).every((rate) => rate > 0)).toBe(true)
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-scale1-'))
    const adapter = createSqliteStorage({ filename: join(dir, 'store.db') })
    try {
      const generated = generate({ outDir: join(dir, 'data'), scale: 1, seed: 42 })
      await adapter.migrate()
      const report = await ingest({ adapter, sources: [join(dir, 'data')] })
      const { files: _files, ...totals } = generated.expected.totals
      expect(report.totals).toEqual({ files: generated.files.length, failed_files: 0, ...totals })
      for (const file of report.files) {
        expect({ rows_read: file.rows_read, accepted: file.accepted, duplicates: file.duplicates, rejected: file.rejected }).toEqual(generated.expected.files[file.source])
      }
    } finally {
      await adapter.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('sqlite key index', () => {
  test('a stored key hash that points at a blob without that key does not make a new row a duplicate', () =>
    withStoreFile('vp-sqlite-collision-', async (filename) => {
      const header = 'task_id,vehicle_id,time_task_created,time_task_resolved'
      const adapter = createSqliteStorage({ filename })
      await adapter.migrate()
      await ingest({ adapter, sources: [{ name: 'deployments_1.csv', stream: [`${header}\n${deployment(1)}\n`] }] })
      await adapter.close()
      // Forge a collision: an index entry with D2's hashes, pointing at the blob that holds D1.
      const db = new Database(filename)
      const key = `D${String(2).padStart(19, '0')}`
      const seed = db.prepare('SELECT key_seed FROM store_meta').pluck().get() as number
      const entry = Buffer.alloc(12)
      entry.writeUInt32LE(keyHashLo(0, key, seed), 0)
      entry.writeUInt32LE(keyHashHi(0, key, seed), 4)
      entry.writeUInt32LE(db.prepare('SELECT id FROM vehicle_rows').pluck().get() as number, 8)
      db.prepare('INSERT INTO key_index (part, entries) VALUES (?, ?)').run(keyPartOf(0, keyHashLo(0, key, seed) & (KEY_PARTITIONS - 1)), entry)
      db.close()
      const again = createSqliteStorage({ filename })
      const report = await ingest({ adapter: again, sources: [{ name: 'deployments_2.csv', stream: [`${header}\n${deployment(2)}\n${deployment(1)}\n`] }] })
      await again.close()
      expect(report.totals).toMatchObject({ accepted: 1, duplicates: { exact: 1, conflict: 0 } })
      expect(storedRowsIn(filename).map((row) => (row.kind === 'deployment' ? row.taskId : null)).sort()).toEqual([`D${String(1).padStart(19, '0')}`, key])
    }))
})

describe('sqlite run spill', () => {
  test('a run spills its rows into its own temp folder and removes it, whether the run succeeds or fails', () =>
    withStoreFile('vp-sqlite-spill-', async (filename) => {
      const tempDir = join(filename, '..', 'spill')
      mkdirSync(tempDir)
      const adapter = createSqliteStorage({ filename, tempDir })
      await adapter.migrate()
      const header = 'task_id,vehicle_id,time_task_created,time_task_resolved'
      const seen: string[][] = []
      await ingest({
        adapter,
        batchSize: 2,
        sources: [{ name: 'deployments.csv', stream: [`${header}\n${deployment(1)}\n${deployment(2)}\n${deployment(3)}\n`] }],
        onProgress: () => void seen.push(readdirSync(tempDir)),
      })
      expect(seen.some((names) => names.length === 1 && names[0]?.startsWith('vehicle-perf-run-'))).toBe(true)
      expect(readdirSync(tempDir)).toEqual([])
      const controller = new AbortController()
      await expect(
        ingest({
          adapter,
          batchSize: 1,
          signal: controller.signal,
          sources: [{ name: 'deployments.csv', stream: [`${header}\n${deployment(4)}\n${deployment(5)}\n`] }],
          onProgress: (progress) => {
            if (progress.rowsRead > 0) controller.abort()
          },
        }),
      ).rejects.toMatchObject({ code: 'ingest_aborted' })
      expect(readdirSync(tempDir)).toEqual([])
      await adapter.close()
    }))
})

describe('sqlite orphaned spills', () => {
  test('the next command that opens the store (a read-only stats) removes the spill folders of killed runs (their process is gone), and leaves live and unrelated ones', () =>
    withStoreFile('vp-sqlite-orphans-', async (filename) => {
      const tempDir = join(filename, '..', 'spill')
      mkdirSync(tempDir)
      const setup = createSqliteStorage({ filename })
      await setup.migrate()
      await setup.close()
      let deadPid = 3_999_999
      for (;;) {
        try {
          process.kill(deadPid, 0)
          deadPid--
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ESRCH') break
          deadPid--
        }
      }
      const orphan = `vehicle-perf-run-${deadPid}-AbCdEf`
      const live = `vehicle-perf-run-${process.ppid}-GhIjKl`
      for (const name of [orphan, live, 'unrelated']) {
        mkdirSync(join(tempDir, name))
        writeFileSync(join(tempDir, name, 'k0'), 'x')
      }
      const reader = createSqliteStorage({ filename, tempDir, readonly: true })
      await reader.stats()
      await reader.close()
      expect(readdirSync(tempDir).sort()).toEqual([live, 'unrelated'].sort())
    }))
})

describe('parsing and rendering on worker threads', () => {
  test('give the same run reports, rows, views, QR claims and as_of as the ingest thread alone, over a first run and a second one on top of it', async () => {
    const { generate } = await import('@vehicle-perf/core')
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-workers-'))
    try {
      const generated = generate({ outDir: join(dir, 'data'), scale: 1, seed: 7 })
      const files = generated.files.map((file) => join(dir, 'data', file)).sort()
      const runs = [files.filter((_file, i) => i % 2 === 0), files.filter((_file, i) => i % 2 === 1)]
      const snapshots: unknown[] = []
      for (const workers of [true, false]) {
        const filename = join(dir, `store-${workers}.db`)
        const adapter = createSqliteStorage({ filename })
        await adapter.migrate()
        const reports: unknown[] = []
        for (const sources of runs) {
          const report = await ingest({ adapter, sources, parseWorker: workers, renderWorker: workers })
          expect(report.vehicles_refreshed).toBeGreaterThan(2000)
          reports.push({ totals: report.totals, files: report.files.map(({ duration_ms: _ms, ...file }) => file), as_of: report.as_of })
        }
        await adapter.close()
        const db = new Database(filename, { readonly: true })
        snapshots.push({
          reports,
          rows: storedRowsIn(filename),
          rejects: db.prepare('SELECT source, line, kind, fields, reasons FROM rejected_rows ORDER BY id').all(),
          duplicates: db.prepare('SELECT kind, key, source, line, classification, kept, incoming FROM duplicate_rows ORDER BY source, line').all(),
          views: db.prepare('SELECT * FROM vehicle_views ORDER BY vehicle_id').all(),
          claims: db.prepare('SELECT * FROM qr_claims ORDER BY vehicle_id, qr_code').all(),
          meta: db.prepare('SELECT as_of, data_version, policy, next_seq FROM store_meta').all(),
        })
        db.close()
      }
      expect(snapshots[0]).toEqual(snapshots[1])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('parsing files on a worker thread', () => {
  test('fails a file without its columns, or with broken rows, exactly as parsing on the ingest thread does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-parse-'))
    try {
      const header = 'task_id,vehicle_id,time_task_created,time_task_resolved'
      writeFileSync(join(dir, 'deployments_1.csv'), `${header}\n${Array.from({ length: 50 }, (_, n) => deployment(n)).join('\n')}\nbad,row\n"never closed\n${deployment(3)}\n`)
      writeFileSync(join(dir, 'deployments_2.csv'), 'task_id,vehicle_id\nD0000000000000000001,V0000000000000000001\n')
      writeFileSync(join(dir, 'rides_3.csv'), '')
      const outcomes: unknown[] = []
      for (const parseWorker of [true, false]) {
        const adapter = createSqliteStorage({ filename: join(dir, `store-${parseWorker}.db`) })
        await adapter.migrate()
        const report = await ingest({ adapter, sources: [dir], parseWorker })
        await adapter.close()
        outcomes.push({ totals: report.totals, files: report.files.map(({ duration_ms: _ms, ...file }) => file) })
      }
      expect(outcomes[0]).toEqual(outcomes[1])
      expect((outcomes[0] as { totals: { failed_files: number } }).totals.failed_files).toBe(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('sqlite policy change without rows', () => {
  test('a run with no sources and another policy re-renders every stored vehicle as a fresh ingest with that policy would', () =>
    withStoreFile('vp-sqlite-policy-', async (filename) => {
      const header = 'task_id,vehicle_id,time_task_created,time_task_resolved'
      const rides = 'ride_id,vehicle_id,time_ride_start,time_ride_end,start_lat,start_lng,end_lat,end_lng,gross_amount'
      const ride = (n: number, vehicle: number, amount: string): string =>
        `R${String(n).padStart(19, '0')},V${String(vehicle).padStart(19, '0')},2019-05-0${1 + (n % 5)} 1${n % 10}:00:00 UTC,2019-05-0${1 + (n % 5)} 1${n % 10}:20:00 UTC,48.83,2.38,48.84,2.36,${amount}`
      const sources = () => [
        { name: 'deployments.csv', stream: [`${header}\n${Array.from({ length: 7 }, (_, n) => deployment(n)).join('\n')}\n`] },
        { name: 'rides.csv', stream: [`${rides}\n${Array.from({ length: 40 }, (_, n) => ride(n, n % 7, `${1 + (n % 9)}.${n % 10}0`)).join('\n')}\n`] },
      ]
      const store = createSqliteStorage({ filename })
      await store.migrate()
      await ingest({ adapter: store, sources: sources(), policy: 'recent' })
      const report = await ingest({ adapter: store, sources: [], policy: 'revenue' })
      expect(report.vehicles_refreshed).toBe(7)
      const fresh = createSqliteStorage({ filename: `${filename}.fresh` })
      await fresh.migrate()
      await ingest({ adapter: fresh, sources: sources(), policy: 'revenue' })
      for (let vehicle = 0; vehicle < 7; vehicle++) {
        const key = { type: 'vehicle_id' as const, value: `V${String(vehicle).padStart(19, '0')}` }
        const [a, b] = [await store.lookup(key), await fresh.lookup(key)]
        expect(a?.template).toBe(b?.template)
        expect(a?.template).toContain('"policy":"revenue"')
      }
      await store.close()
      await fresh.close()
    }))
})

describe('sqlite run spill failures', () => {
  test('a temp folder that cannot be written ends the run with a store error naming it, not a file error, and leaves the store as it was', () =>
    withStoreFile('vp-sqlite-spill-fail-', async (filename) => {
      const notAFolder = join(filename, '..', 'not-a-folder')
      writeFileSync(notAFolder, 'x')
      const adapter = createSqliteStorage({ filename, tempDir: notAFolder })
      await adapter.migrate()
      const header = 'task_id,vehicle_id,time_task_created,time_task_resolved'
      const error = await ingest({ adapter, sources: [{ name: 'deployments.csv', stream: [`${header}\n${deployment(1)}\n`] }] }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'store_unreachable' })
      expect((error as Error).message).toContain(notAFolder)
      expect((error as Error).message).toContain('tempDir')
      expect((await adapter.stats()).runs).toMatchObject({ total: 1, failed: 1, succeeded: 0 })
      expect((await adapter.meta()).dataVersion).toBe(0)
      await adapter.close()
      expect(storedRowsIn(filename)).toEqual([])
    }))
})

describe('sqlite page size', () => {
  test('a new store is made with 16 KiB pages, which views and row blobs of ~2 KB fill', () =>
    withStoreFile('vp-sqlite-pages-', async (filename) => {
      const adapter = createSqliteStorage({ filename })
      await adapter.migrate()
      await ingest({ adapter, sources: [{ name: 'deployments.csv', stream: [deploymentsCsv(1, 2)] }] })
      await adapter.close()
      expect(pragmaOf(filename, 'page_size')).toBe(16384)
    }))

  test('a store made with 4 KiB pages keeps them, ingests on top and answers the same lookups', () =>
    withStoreFile('vp-sqlite-pages-old-', async (filename) => {
      const old = new Database(filename)
      old.pragma('page_size = 4096')
      old.pragma('journal_mode = WAL')
      old.close()
      const adapter = createSqliteStorage({ filename })
      await adapter.migrate()
      await ingest({ adapter, sources: [{ name: 'deployments.csv', stream: [deploymentsCsv(1, 20)] }] })
      const second = await ingest({ adapter, sources: [{ name: 'deployments.csv', stream: [deploymentsCsv(10, 30)] }] })
      expect(second.totals.accepted).toBe(10)
      expect(second.totals.duplicates.exact).toBe(10)
      const view = await adapter.lookup({ type: 'vehicle_id', value: 'V0000000000000000003' })
      await adapter.close()
      expect(pragmaOf(filename, 'page_size')).toBe(4096)
      expect(view?.vehicleId).toBe('V0000000000000000003')
    }))
})

describe('sqlite schema', () => {
  test('a new store runs every schema step once, and migrating again changes nothing', () =>
    withStoreFile('vp-sqlite-schema-', async (filename) => {
      const adapter = createSqliteStorage({ filename })
      await adapter.migrate()
      await adapter.migrate()
      await adapter.close()
      const db = new Database(filename, { readonly: true })
      expect(db.prepare('SELECT schema_version, packed_rows_format, next_seq FROM store_meta').get()).toEqual({ schema_version: MIGRATIONS.length, packed_rows_format: PACKED_ROWS_FORMAT, next_seq: 1 })
      db.close()
    }))

  test('a store made by a newer version, or with another packed row format, is refused with a message, not misread', () =>
    withStoreFile('vp-sqlite-schema-newer-', async (filename) => {
      const setup = createSqliteStorage({ filename })
      await setup.migrate()
      await setup.close()
      for (const [column, value, message] of [['schema_version', MIGRATIONS.length + 1, /made by a newer vehicle-perf/], ['packed_rows_format', PACKED_ROWS_FORMAT + 1, /packed format/]] as const) {
        const db = new Database(filename)
        db.prepare(`UPDATE store_meta SET ${column} = ?`).run(value)
        db.close()
        const adapter = createSqliteStorage({ filename })
        const error = await adapter.migrate().catch((e: unknown) => e)
        await adapter.close()
        expect(error).toMatchObject({ code: 'store_unreachable', store: 'sqlite' })
        expect((error as Error).message).toMatch(message)
        const fix = new Database(filename)
        fix.prepare('UPDATE store_meta SET schema_version = ?, packed_rows_format = ?').run(MIGRATIONS.length, PACKED_ROWS_FORMAT)
        fix.close()
      }
    }))
})

describe('sqlite read snapshots', () => {
  test('an idle server does not pin an old snapshot: the next ingest moves the WAL into the store, and a clean shutdown leaves no -wal file', () =>
    withStoreFile('vp-sqlite-idle-', async (filename) => {
      const writer = createSqliteStorage({ filename })
      await writer.migrate()
      await ingest({ adapter: writer, sources: [{ name: 'deployments_1.csv', stream: [deploymentsCsv(1, 50)] }] })
      const server = createSqliteStorage({ filename, readonly: true, readSnapshotMs: 10 })
      expect(await server.lookup({ type: 'vehicle_id', value: 'V0000000000000000001' })).not.toBeNull()
      // The server is idle now, for longer than its snapshot may live.
      await new Promise((resolve) => setTimeout(resolve, 60))
      await ingest({ adapter: writer, sources: [{ name: 'deployments_2.csv', stream: [deploymentsCsv(50, 5000)] }] })
      const other = new Database(filename)
      const [checkpoint] = other.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number }[]
      other.close()
      expect(checkpoint?.busy).toBe(0)
      expect((await server.meta()).dataVersion).toBe(2)
      await server.close()
      await writer.close()
      expect(existsSync(`${filename}-wal`)).toBe(false)
    }))
})

describe('sqlite store replaced under a server', () => {
  test('a server notices within seconds a store deleted and made anew at its path, serves the new one, and says unreachable when it is gone', () =>
    withStoreFile('vp-sqlite-replaced-', async (filename) => {
      const make = async (csvText: string): Promise<void> => {
        const writer = createSqliteStorage({ filename })
        await writer.migrate()
        await ingest({ adapter: writer, sources: [{ name: 'deployments.csv', stream: [csvText] }] })
        await writer.close()
      }
      const remove = (): void => {
        for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${filename}${suffix}`, { force: true })
      }
      await make(deploymentsCsv(1, 8))
      const server = createSqliteStorage({ filename, readonly: true, readSnapshotMs: 10 })
      const old = { type: 'vehicle_id' as const, value: 'V0000000000000000001' }
      const renewed = { type: 'vehicle_id' as const, value: 'W0000000000000000001' }
      expect(await server.lookup(old)).not.toBeNull()
      remove()
      await make(`task_id,vehicle_id,time_task_created,time_task_resolved\nD0000000000000000001,${renewed.value},2019-06-01 10:00:00 UTC,2019-06-01 10:05:00 UTC\n`)
      await eventually(async () => (await server.lookup(renewed)) !== null, 5000)
      expect(await server.lookup(old)).toBeNull()
      expect((await server.meta()).asOf).toBe(Date.UTC(2019, 5, 1, 10, 5))
      remove()
      await eventually(async () => (await server.meta().then(() => 'open', (e: { code?: string }) => e.code)) === 'store_unreachable', 5000)
      await server.close()
    }))
})
