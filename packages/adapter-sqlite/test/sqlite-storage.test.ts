import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { runStorageConformanceSuite } from '@vehicle-perf/core/testing'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'

runStorageConformanceSuite({
  describe,
  test,
  expect,
  async createStore() {
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-'))
    const filename = join(dir, 'store.db')
    const adapter = createSqliteStorage({ filename, lockTimeoutMs: 20_000 })
    return {
      adapter,
      async query(sql) {
        const db = new Database(filename, { readonly: true })
        try {
          return db.prepare(sql).all() as Record<string, unknown>[]
        } finally {
          db.close()
        }
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
  },
})

describe('sqlite specifics', () => {
  const header = 'task_id,vehicle_id,time_task_created,time_task_resolved'
  const deployment = (n: number): string => `D${String(n).padStart(19, '0')},V${String(n % 7).padStart(19, '0')},2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC`

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
