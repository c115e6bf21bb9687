import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate, ingest, type StorageAdapter, type VehicleResponse } from '@vehicle-perf/core'
import { referenceResponses } from '@vehicle-perf/core/testing'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'

export interface FixtureStore {
  adapter: StorageAdapter
  filename: string
  /** core's own responses for every vehicle, computed from the raw files. */
  reference: Map<string, VehicleResponse>
  /** A vehicle with a QR code, an open cycle and rides in it, when the data has one. */
  sample: VehicleResponse
  cleanup: () => Promise<void>
}

/** A real SQLite store with generated data, and the reference answers for it. */
export async function createFixtureStore(scale = 0.02, seed = 21): Promise<FixtureStore> {
  const dir = mkdtempSync(join(tmpdir(), 'vp-http-'))
  const data = join(dir, 'data')
  generate({ outDir: data, scale, seed })
  const filename = join(dir, 'store.db')
  const writer = createSqliteStorage({ filename })
  await writer.migrate()
  await ingest({ adapter: writer, sources: [data] })
  await writer.close()
  const adapter = createSqliteStorage({ filename, readonly: true })
  const reference = await referenceResponses(data)
  const candidates = [...reference.values()].filter((r) => r.qr_code !== null && r.items.filter((i) => i.type === 'ride').length >= 3)
  const sample = candidates.find((r) => r.current_cycle?.ended_at === null) ?? candidates[0] ?? ([...reference.values()][0] as VehicleResponse)
  return {
    adapter,
    filename,
    reference,
    sample,
    cleanup: async () => {
      await adapter.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
