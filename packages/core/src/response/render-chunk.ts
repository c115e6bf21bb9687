import { vehicleEventsOf } from '../rows/row-records.js'
import type { SelectionPolicy } from './response-schema.js'
import { latestOfEvents } from './vehicle-events.js'
import { buildVehicleView, type VehicleView } from './vehicle-response.js'

/**
 * Touched vehicles as a store hands them to a refresh: each vehicle's rows
 * as row records (rows/row-records.ts), stored ones first, all in ingest
 * order. Vehicle i's records are at [ends[i - 1] ?? 0, ends[i]) of `records`.
 */
export interface VehicleRecordsChunk {
  vehicleIds: string[]
  ends: number[]
  records: Buffer
}

/** A chunk's views, and the latest timestamp of its rows (null without rows): the run's as_of is folded from them. */
export interface RenderedChunk {
  views: VehicleView[]
  latest: number | null
}

/** Decodes and renders every vehicle of a chunk: the refresh's work, on whichever thread runs it. */
export function renderChunk(chunk: VehicleRecordsChunk, policy: SelectionPolicy): RenderedChunk {
  const views: VehicleView[] = []
  let latest: number | null = null
  let start = 0
  for (let i = 0; i < chunk.vehicleIds.length; i++) {
    const end = chunk.ends[i] as number
    const events = vehicleEventsOf(chunk.vehicleIds[i] as string, chunk.records, start, end)
    latest = latestOfEvents(events, latest)
    views.push(buildVehicleView(events, { policy }))
    start = end
  }
  return { views, latest }
}
