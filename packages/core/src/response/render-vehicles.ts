import { packedRowSize, packRow, unpackRecords, type PackedVehicles } from '../rows/packed-rows.js'
import type { SelectionPolicy } from './response-schema.js'
import { eventsOfHistory, latestOfEvents, type VehicleHistory } from './vehicle-events.js'
import { buildVehicleView, type VehicleView } from './vehicle-response.js'

/** A chunk's views, and the latest timestamp of its rows (null without rows): the run's as_of is folded from them. */
export interface RenderedChunk {
  views: VehicleView[]
  latest: number | null
}

/** Renders every vehicle of a chunk: the refresh's work, on whichever thread runs it. */
export function renderHistories(histories: readonly VehicleHistory[], policy: SelectionPolicy): RenderedChunk {
  const views: VehicleView[] = []
  let latest: number | null = null
  for (const history of histories) {
    const events = eventsOfHistory(history)
    latest = latestOfEvents(events, latest)
    views.push(buildVehicleView(events, { policy }))
  }
  return { views, latest }
}

/** The histories packed vehicles stand for. */
export function unpackVehicles(packed: PackedVehicles): VehicleHistory[] {
  const histories: VehicleHistory[] = []
  let start = 0
  for (let i = 0; i < packed.vehicleIds.length; i++) {
    const vehicleId = packed.vehicleIds[i] as string
    const end = packed.ends[i] as number
    histories.push({ vehicleId, rows: unpackRecords(packed.records, vehicleId, [], start, end) })
    start = end
  }
  return histories
}

/** Histories as packed records in one buffer of their own: how a plain store's rows cross to the render thread. */
export function packVehicles(histories: readonly VehicleHistory[]): PackedVehicles {
  let bytes = 0
  for (const history of histories) for (const row of history.rows) bytes += packedRowSize(row.kind)
  const records = Buffer.allocUnsafeSlow(bytes)
  const ends: number[] = []
  let at = 0
  for (const history of histories) {
    for (const row of history.rows) {
      packRow(records, at, row, row.seq)
      at += packedRowSize(row.kind)
    }
    ends.push(at)
  }
  return { vehicleIds: histories.map((history) => history.vehicleId), ends, records }
}

/** Decodes and renders packed vehicles. */
export function renderPackedVehicles(packed: PackedVehicles, policy: SelectionPolicy): RenderedChunk {
  return renderHistories(unpackVehicles(packed), policy)
}
