import { VehiclePerfError, type VehiclePerfErrorCode } from '@vehicle-perf/core'

/** Errors prefixed `[vehicle-perf] [sqlite]`, the driver's error on `cause`. */
export function sqliteError(code: VehiclePerfErrorCode, message: string, cause?: unknown): VehiclePerfError {
  return new VehiclePerfError(code, `[vehicle-perf] [sqlite] ${message}`, { cause })
}

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
}
