import { VehiclePerfError, type VehiclePerfErrorCode } from '@vehicle-perf/core'

/** An error of this store: `store: 'sqlite'` as data, the driver's error on `cause`. */
export function sqliteError(code: VehiclePerfErrorCode, message: string, cause?: unknown): VehiclePerfError {
  return new VehiclePerfError(code, message, { cause, store: 'sqlite' })
}

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
}
