import { parseVehicleKey, type VehicleKey } from '../values/ids.js'
import { renderVehicleView, viewEtag } from '../response/vehicle-response.js'
import { eventsOfHistory } from '../response/vehicle-events.js'
import { buildVehicleHistory, type VehicleHistoryReport } from '../response/vehicle-history.js'
import type { StorageAdapter } from './storage-contract.js'

export type VehicleLookupResult =
  | { status: 200; vehicleId: string; qrCode: string | null; body: string; etag: string; dataVersion: number }
  | { status: 400 | 404; title: string; detail: string }

/** The answer to a key that is not 20 or 6 characters of [A-Za-z0-9]: no store is asked. */
export const MALFORMED_KEY_RESULT: VehicleLookupResult = Object.freeze({
  status: 400,
  title: 'Malformed vehicle key',
  detail: 'A key is a vehicle id (20 letters or digits) or a QR code (6 letters or digits).',
})

/** The answer to a well-formed key that no stored vehicle has. */
export function unknownVehicleResult(key: VehicleKey): VehicleLookupResult {
  const what = key.type === 'vehicle_id' ? `vehicle id ${key.value}` : `QR code ${key.value}`
  return { status: 404, title: 'Unknown vehicle', detail: `No vehicle with ${what} is in the data.` }
}

/**
 * domain.md §8-9's lookup, for every transport (HTTP, CLI, a host's own code):
 * validate the key, one indexed read, render the stored view. A store error
 * is thrown (VehiclePerfError `store_unreachable`): transports answer 503.
 */
export async function lookupVehicle(adapter: StorageAdapter, rawKey: string): Promise<VehicleLookupResult> {
  const key = parseVehicleKey(rawKey)
  return key === null ? MALFORMED_KEY_RESULT : lookupVehicleByKey(adapter, key)
}

/** The same, for a key already validated with parseVehicleKey (a cache in front has parsed it). */
export async function lookupVehicleByKey(adapter: StorageAdapter, key: VehicleKey): Promise<VehicleLookupResult> {
  const view = await adapter.lookup(key)
  if (view === null) return unknownVehicleResult(key)
  return {
    status: 200,
    vehicleId: view.vehicleId,
    qrCode: view.qrCode,
    body: renderVehicleView(view, view.asOf),
    etag: viewEtag(view.contentHash, view.asOf),
    dataVersion: view.dataVersion,
  }
}

export type VehicleHistoryResult =
  | { status: 200; vehicleId: string; qrCode: string | null; body: string; history: VehicleHistoryReport; dataVersion: number }
  | { status: 400 | 404; title: string; detail: string }

/**
 * The lookup, plus the vehicle's whole history folded from its stored rows
 * at the view's as_of (the report page's data): the v1 body and the history
 * come from the same rules, so they agree.
 */
export async function lookupVehicleHistory(adapter: StorageAdapter, rawKey: string): Promise<VehicleHistoryResult> {
  const key = parseVehicleKey(rawKey)
  if (key === null) return MALFORMED_KEY_RESULT as VehicleHistoryResult
  const view = await adapter.lookup(key)
  if (view === null) return unknownVehicleResult(key) as VehicleHistoryResult
  const rows = await adapter.vehicleRows(view.vehicleId)
  return {
    status: 200,
    vehicleId: view.vehicleId,
    qrCode: view.qrCode,
    body: renderVehicleView(view, view.asOf),
    history: buildVehicleHistory(eventsOfHistory({ vehicleId: view.vehicleId, rows }), { asOf: view.asOf }),
    dataVersion: view.dataVersion,
  }
}
