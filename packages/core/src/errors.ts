/**
 * One error family for the whole SDK. `code` is stable and machine-readable;
 * the HTTP package maps codes to statuses in one place; the CLI prints
 * `message` (never a stack) for codes that are the user's mistake.
 */
export type VehiclePerfErrorCode =
  | 'missing_column'
  | 'unknown_kind'
  | 'unreadable'
  | 'source_not_found'
  | 'invalid_key'
  | 'invalid_option'
  | 'store_unreachable'
  | 'store_busy'
  | 'ingest_aborted'
  | 'internal'

export class VehiclePerfError extends Error {
  readonly code: VehiclePerfErrorCode
  constructor(code: VehiclePerfErrorCode, message: string, options?: { cause?: unknown }) {
    super(message.startsWith('[vehicle-perf]') ? message : `[vehicle-perf] ${message}`, options)
    this.name = 'VehiclePerfError'
    this.code = code
  }
}

export function isVehiclePerfError(value: unknown): value is VehiclePerfError {
  return value instanceof VehiclePerfError
}
