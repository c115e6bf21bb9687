import { spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { generate, ingest, isVehiclePerfError, type IngestSource } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { deploymentsCsv, pragmaOf, withStoreFile } from './store-files.js'

const deployments = (from: number, to: number): IngestSource => ({ name: `deployments_${from}.csv`, stream: [deploymentsCsv(from, to)] })

/** Bytes in the store's WAL file (0 when there is none): how many pages a run sent through it. */
const walBytes = (filename: string): number => (existsSync(`${filename}-wal`) ? statSync(`${filename}-wal`).size : 0)

const journalMode = (filename: string): unknown => pragmaOf(filename, 'journal_mode')
const withStore = (body: (filename: string) => Promise<void>): Promise<void> => withStoreFile('vp-first-ingest-', body)

describe('the first ingest into an empty store', () => {
  test('writes no page through the WAL and leaves the store in WAL mode; the next run goes through the WAL', () =>
    withStore(async (filename) => {
      const adapter = createSqliteStorage({ filename })
      await adapter.migrate()
      const first = await ingest({ adapter, sources: [deployments(1, 50)] })
      expect(first.totals.accepted).toBe(49)
      expect(walBytes(filename)).toBe(0)
      expect(journalMode(filename)).toBe('wal')
      expect(existsSync(`${filename}-journal`)).toBe(false)
      expect((await adapter.lookup({ type: 'vehicle_id', value: 'V0000000000000000003' }))?.vehicleId).toBe('V0000000000000000003')
      const second = await ingest({ adapter, sources: [deployments(40, 60)] })
      expect(second.totals.accepted).toBe(10)
      expect(walBytes(filename)).toBeGreaterThan(0)
      await adapter.close()
    }))

  test('goes through the WAL when another connection has the store open, and that connection reads during it', () =>
    withStore(async (filename) => {
      const adapter = createSqliteStorage({ filename })
      await adapter.migrate()
      const reader = createSqliteStorage({ filename, readonly: true })
      expect(await reader.lookup({ type: 'vehicle_id', value: 'V0000000000000000003' })).toBeNull()
      const readsDuringRun: Promise<unknown>[] = []
      await ingest({
        adapter,
        batchSize: 5,
        sources: [deployments(1, 50)],
        onProgress: () => void readsDuringRun.push(reader.lookup({ type: 'vehicle_id', value: 'V0000000000000000003' })),
      })
      expect(readsDuringRun.length).toBeGreaterThan(0)
      for (const view of await Promise.all(readsDuringRun)) expect(view).toBeNull()
      expect(walBytes(filename)).toBeGreaterThan(0)
      expect((await reader.lookup({ type: 'vehicle_id', value: 'V0000000000000000003' }))?.vehicleId).toBe('V0000000000000000003')
      await Promise.all([reader.close(), adapter.close()])
    }))

  test('goes through the WAL with bulkFirstIngest: false', () =>
    withStore(async (filename) => {
      const adapter = createSqliteStorage({ filename, bulkFirstIngest: false })
      await adapter.migrate()
      await ingest({ adapter, sources: [deployments(1, 50)] })
      expect(walBytes(filename)).toBeGreaterThan(0)
      await adapter.close()
    }))

  test('makes a connection opened during it fail with store_busy, never read a run half-done', () =>
    withStore(async (filename) => {
      const adapter = createSqliteStorage({ filename })
      await adapter.migrate()
      let duringRun: Promise<unknown> | null = null
      const late = createSqliteStorage({ filename, readonly: true })
      await ingest({
        adapter,
        sources: [deployments(1, 50)],
        onProgress: (p) => {
          if (p.phase === 'refresh' && duringRun === null) duringRun = late.lookup({ type: 'vehicle_id', value: 'V0000000000000000003' }).catch((error: unknown) => error)
        },
      })
      const error = await (duringRun as Promise<unknown> | null)
      expect(isVehiclePerfError(error) && error.code).toBe('store_busy')
      expect((await late.lookup({ type: 'vehicle_id', value: 'V0000000000000000003' }))?.vehicleId).toBe('V0000000000000000003')
      await Promise.all([late.close(), adapter.close()])
    }))

  test('aborted, leaves an empty store in WAL mode, and the next ingest stores everything', () =>
    withStore(async (filename) => {
      const adapter = createSqliteStorage({ filename })
      await adapter.migrate()
      const controller = new AbortController()
      await expect(
        ingest({
          adapter,
          signal: controller.signal,
          sources: [deployments(1, 50)],
          onProgress: (p) => {
            if (p.phase === 'refresh') controller.abort()
          },
        }),
      ).rejects.toThrow()
      expect((await adapter.stats()).vehicles).toBe(0)
      expect(journalMode(filename)).toBe('wal')
      expect(existsSync(`${filename}-journal`)).toBe(false)
      const again = await ingest({ adapter, sources: [deployments(1, 50)] })
      expect(again.totals.accepted).toBe(49)
      expect((await adapter.stats()).vehicles).toBe(7)
      await adapter.close()
    }))

  test('killed while it writes, is undone by the next open, a read-only one included: an empty store that ingests everything again', () =>
    withStore(async (filename) => {
      const data = join(filename, '..', 'data')
      generate({ outDir: data, scale: 1, seed: 7 })
      const setup = createSqliteStorage({ filename })
      await setup.migrate()
      await setup.close()
      // A separate process, killed (SIGKILL: nothing runs after) once the run has started writing views.
      const child = spawn(process.execPath, ['--import', 'tsx/esm', join(import.meta.dirname, '../../../scripts/test-support/ingest-until-killed.ts'), `sqlite:${filename}`, data, 'refresh', tmpdir()], {
        cwd: join(import.meta.dirname, '../../..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      const said = await new Promise<string>((resolve) => {
        let out = ''
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          if (out.includes('refresh')) child.kill('SIGKILL')
        })
        // Its locks go with the process.
        child.on('exit', () => resolve(out))
      })
      expect(said).toContain('refresh')
      expect(said).not.toContain('committed')
      expect(existsSync(`${filename}-journal`)).toBe(true)

      // Readers come first, as a server or `vehicle-perf stats` would: they see the store as it was before the run.
      const reader = createSqliteStorage({ filename, readonly: true })
      expect(await reader.stats()).toMatchObject({ vehicles: 0, runs: { succeeded: 0 } })
      expect(await reader.lookup({ type: 'vehicle_id', value: 'V0000000000000000001' })).toBeNull()
      await reader.close()

      const adapter = createSqliteStorage({ filename })
      await adapter.migrate()
      const stats = await adapter.stats()
      expect(stats.vehicles).toBe(0)
      expect(stats.runs.succeeded).toBe(0)
      const report = await ingest({ adapter, sources: [data] })
      expect(report.totals.failed_files).toBe(0)
      expect((await adapter.stats()).vehicles).toBe(report.vehicles_refreshed)
      await adapter.close()
      expect(journalMode(filename)).toBe('wal')
    }), 60_000)

  test('a second ingest opened while a first ingest holds an empty store waits its lock timeout, then says another ingest is running', () =>
    withStore(async (filename) => {
      const first = createSqliteStorage({ filename })
      await first.migrate()
      const held = await first.beginIngest({ runId: 'held', startedAt: new Date() })
      const second = createSqliteStorage({ filename, lockTimeoutMs: 300 })
      const started = performance.now()
      const error = await ingest({ adapter: second, sources: [deployments(1, 3)] }).catch((e: unknown) => e)
      expect(performance.now() - started).toBeGreaterThanOrEqual(280)
      expect(error).toMatchObject({ code: 'store_busy', store: 'sqlite' })
      expect((error as Error).message).toMatch(/another ingest is running on .*store\.db \(waited 300 ms\)/)
      await held.rollback({ run_id: 'held', status: 'failed', started_at: new Date().toISOString(), finished_at: null, as_of: null, policy: 'recent', files: [], vehicles_refreshed: 0, data_version: 0, totals: { files: 0, failed_files: 0, rows_read: 0, accepted: 0, duplicates: { exact: 0, conflict: 0 }, rejected: { rows: 0, reasons: {} } } })
      await first.close()
      expect((await ingest({ adapter: second, sources: [deployments(1, 3)] })).totals.accepted).toBe(2)
      await second.close()
    }))
})
