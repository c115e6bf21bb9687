import type { SelectionPolicy } from '../response/response-schema.js'
import type { VehicleView } from '../response/vehicle-response.js'

// The messages between an ingest's refresh and its render worker.

/** A chunk of touched vehicles to render; `records` is transferred, not copied. */
export interface RenderJob {
  id: number
  policy: SelectionPolicy
  vehicleIds: string[]
  ends: number[]
  /** The chunk's records, whole (byte 0 to the end). */
  records: ArrayBuffer
}

export type RenderReply = { id: number; views: VehicleView[]; latest: number | null } | { id: number; error: string }
