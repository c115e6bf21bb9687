import {
  createMemoryStorage,
  ingest,
  lookupVehicle,
  MemoryDatabase,
  type IngestReport,
  type IngestSource,
  type RejectRecord,
  type VehicleResponse,
} from '@vehicle-perf/core'

export interface PipelineResult {
  report: IngestReport
  /** Every rejected row, with its file, line, fields and reasons. */
  rejects: RejectRecord[]
  /** The v1 response of every vehicle, by id. */
  responses: VehicleResponse[]
}

/**
 * A batch through the whole domain with no database: CSV sources -> ingest
 * (validation, first row per key wins, every duplicate logged) into the
 * memory store -> every vehicle's v1 response. The store's memory grows
 * with the data; for unbounded input use `ingest` with a database adapter.
 */
export async function runPipeline(sources: IngestSource[]): Promise<PipelineResult> {
  const database = new MemoryDatabase()
  const store = createMemoryStorage({ database })
  try {
    const report = await ingest({ adapter: store, sources })
    const responses: VehicleResponse[] = []
    for await (const { keys } of store.listKeys(1000)) {
      for (const key of keys) {
        if (key.type !== 'vehicle_id') continue
        const answer = await lookupVehicle(store, key.value)
        if (answer.status === 200) responses.push(JSON.parse(answer.body) as VehicleResponse)
      }
    }
    return { report, rejects: [...database.rejects], responses }
  } finally {
    await store.close()
  }
}
