// SIGKILL at each phase of a first ingest and of a later one, on any store:
// afterwards the store opens for every reader (stats, lookup) and is exactly
// as before the run, the killed run's temp files go with the next open, a
// rerun gives the exact expected counts and no row is stored twice.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { generate, ingest, rowKey, type StorageAdapter } from '@vehicle-perf/core'
import type { StoreContents } from '@vehicle-perf/core/testing'

const root = join(import.meta.dirname, '../..')
export const PHASES = ['read', 'store', 'refresh', 'commit'] as const

export interface KillableStore {
  /** The store as the fixture names it: sqlite:PATH, or a postgres:// URL with ?schema=. */
  spec: string
  /** A writing adapter on the store, its temp files in `tempDir`. */
  writer(tempDir: string): StorageAdapter
  /** A read-only adapter, as `stats`, `lookup` and a server open it. */
  reader(): StorageAdapter
  contents(): Promise<StoreContents>
  cleanup(): Promise<void>
}

/** Runs the fixture on `spec` and kills it once it says it reached `phase`; resolves with what it said. */
function ingestUntilKilled(spec: string, data: string, phase: string, tempDir: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', join(import.meta.dirname, 'ingest-until-killed.ts'), spec, data, phase, tempDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise<string>((resolve) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes(phase)) child.kill('SIGKILL')
    })
    // Its locks (and, on PostgreSQL, its transaction) go with the process.
    child.on('exit', () => resolve(out))
  })
}

const sortedRowKeys = (contents: StoreContents): string[] => contents.rows.map((row) => `${row.kind}:${rowKey(row)}`).sort()

/** Defines the tests of the kill matrix; `open` gives a fresh, migrated, empty store. */
export function killMatrix(open: () => Promise<KillableStore>): void {
  for (const later of [false, true]) {
    for (const phase of PHASES) {
      const which = later ? 'a later ingest' : 'a first ingest'
      test(`${which} killed (SIGKILL) in its ${phase} phase: readers open the store as it was, its temp files go, and a rerun stores exactly everything once`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'vp-kill-'))
        const tempDir = join(dir, 'temp')
        mkdirSync(tempDir)
        const store = await open()
        try {
          generate({ outDir: join(dir, 'first'), scale: 0.02, seed: 31 })
          const second = generate({ outDir: join(dir, 'second'), scale: 0.02, seed: 32, startDate: '2019-06-01', idOffset: 500_000 })
          if (later) {
            const setup = store.writer(tempDir)
            await ingest({ adapter: setup, sources: [join(dir, 'first')] })
            await setup.close()
          }
          const before = await store.contents()
          const said = await ingestUntilKilled(store.spec, join(dir, 'second'), phase, tempDir)
          expect(said).toContain(phase)
          expect(said).not.toContain('committed')
          // The killed run's temp folder is left behind: nothing ran after the kill.
          expect(readdirSync(tempDir)).toHaveLength(1)

          // Readers first, as a server or `vehicle-perf stats` would open it after the crash.
          const reader = store.reader()
          expect(await reader.stats()).toMatchObject({ vehicles: before.views.length, runs: { succeeded: later ? 1 : 0 } })
          const known = before.views[0]?.vehicleId
          if (known !== undefined) expect(await reader.lookup({ type: 'vehicle_id', value: known })).not.toBeNull()
          await reader.close()
          expect(await store.contents()).toEqual(before)

          const writer = store.writer(tempDir)
          const report = await ingest({ adapter: writer, sources: [join(dir, 'second')] })
          await writer.close()
          expect(readdirSync(tempDir)).toEqual([])
          const { files: _files, ...totals } = second.expected.totals
          expect(report.totals).toEqual({ files: second.files.length, failed_files: 0, ...totals })
          const after = await store.contents()
          const keys = sortedRowKeys(after)
          expect(new Set(keys).size).toBe(keys.length)
          expect(keys.length).toBe(before.rows.length + report.totals.accepted)
        } finally {
          await store.cleanup()
          rmSync(dir, { recursive: true, force: true })
        }
      }, 60_000)
    }
  }
}
