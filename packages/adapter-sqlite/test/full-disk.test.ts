import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { generate, ingest, isVehiclePerfError } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { canMountTmpfs, withTmpfs } from '../../../scripts/test-support/tmpfs.js'
import { storeContentsOf } from './store-contents.js'
import { deploymentsCsv } from './store-files.js'

/** Generated data on the ordinary disk, removed afterwards. */
async function withData(scale: number, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vp-full-data-'))
  try {
    generate({ outDir: dir, scale, seed: 9 })
    await body(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe.skipIf(!canMountTmpfs)('a full disk', () => {
  test('under the store: the run fails with disk_full, the store is as it was, and the run is recorded as failed with its accounting so far', () =>
    withData(0.3, (data) =>
      withTmpfs(3072, async (disk) => {
        const filename = join(disk, 'store.db')
        const adapter = createSqliteStorage({ filename, tempDir: tmpdir() })
        await adapter.migrate()
        await ingest({ adapter, sources: [{ name: 'deployments_0.csv', stream: [deploymentsCsv(1, 50)] }] })
        const before = storeContentsOf(filename)
        const error = await ingest({ adapter, sources: [data] }).catch((e: unknown) => e)
        expect(error).toMatchObject({ code: 'disk_full', store: 'sqlite' })
        expect((error as Error).message).toMatch(/the disk is full/)
        const report = isVehiclePerfError(error) ? error.report : undefined
        expect(report).toMatchObject({ status: 'failed', error: { code: 'disk_full' } })
        expect(report?.totals.rows_read).toBeGreaterThan(0)
        const after = storeContentsOf(filename)
        expect({ ...after, runs: [] }).toEqual({ ...before, runs: [] })
        expect(after.runs.map((run) => run.status).sort()).toEqual(['failed', 'succeeded'])
        await adapter.close()
      }),
    ), 60_000)

  test('under the run\'s temp folder: the run fails with disk_full naming the tempDir option, and the store is as it was', () =>
    withData(0.3, (data) =>
      withTmpfs(256, async (temp) => {
        const dir = mkdtempSync(join(tmpdir(), 'vp-full-store-'))
        try {
          const filename = join(dir, 'store.db')
          const adapter = createSqliteStorage({ filename, tempDir: temp })
          await adapter.migrate()
          const error = await ingest({ adapter, sources: [data] }).catch((e: unknown) => e)
          expect(error).toMatchObject({ code: 'disk_full' })
          expect((error as Error).message).toMatch(/no space left for the run's temp files in .* \(the tempDir option\)/)
          expect(storeContentsOf(filename).rows).toEqual([])
          await adapter.close()
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }),
    ), 60_000)
})
