import { isVehiclePerfError, type VehiclePerfErrorCode } from '@vehicle-perf/core'

/** The one place where error codes become HTTP statuses. */
const STATUS_OF: Partial<Record<VehiclePerfErrorCode, number>> = {
  invalid_key: 400,
  invalid_option: 500,
  store_unreachable: 503,
  store_busy: 503,
}

/** A store error (or any unexpected error while reading the store) is a 503: the process is fine, its store is not. */
export function statusOfError(error: unknown): number {
  if (isVehiclePerfError(error)) return STATUS_OF[error.code] ?? 500
  return 503
}

/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 5
