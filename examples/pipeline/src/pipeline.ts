import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import {
  buildVehicleResponse,
  computeAsOf,
  groupRowsByVehicle,
  InMemoryDeduplicator,
  kindFromFileName,
  readOperationRows,
  type OperationRow,
  type RejectedRow,
  type VehicleResponse,
} from '@vehicle-perf/core'

export interface PipelineResult {
  rowsRead: number
  accepted: number
  duplicates: number
  rejects: RejectedRow[]
  responses: VehicleResponse[]
}

/**
 * A whole batch in memory: CSV files -> typed rows + rejects -> first row per
 * key wins -> one v1 response per vehicle. Fine for a batch that fits in
 * memory; for unbounded input use `ingest` with a storage adapter.
 */
export async function runPipeline(dir: string, fileNames: readonly string[]): Promise<PipelineResult> {
  const dedupe = new InMemoryDeduplicator()
  const accepted: OperationRow[] = []
  const rejects: RejectedRow[] = []
  let rowsRead = 0
  let duplicates = 0
  for (const name of [...fileNames].sort()) {
    const kind = kindFromFileName(name)
    if (kind === null) continue
    for await (const batch of readOperationRows(createReadStream(join(dir, name)), kind, { sourceName: name })) {
      rowsRead += batch.rowsRead
      rejects.push(...batch.rejects)
      for (const { row } of batch.rows) {
        if (dedupe.check(row).status === 'new') accepted.push(row)
        else duplicates++
      }
    }
  }
  const asOf = computeAsOf(accepted)
  const responses = [...groupRowsByVehicle(accepted).values()].map((events) => buildVehicleResponse(events, { asOf }))
  return { rowsRead, accepted: accepted.length, duplicates, rejects, responses }
}
