import { isVehiclePerfError, type VehiclePerfErrorCode } from '@vehicle-perf/core'

/**
 * The one place where error codes become HTTP statuses. Only a store that
 * cannot be reached, or is held by an ingest, is a 503 (retry shortly);
 * anything else that fails a request is a 500 and is logged: a bug must not
 * look like an outage.
 */
const STATUS_OF: Partial<Record<VehiclePerfErrorCode, number>> = {
  store_unreachable: 503,
  store_busy: 503,
}

export function statusOfError(error: unknown): number {
  if (isVehiclePerfError(error)) return STATUS_OF[error.code] ?? 500
  return 500
}

/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 5
