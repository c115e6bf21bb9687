import type { IngestReport } from './ingest/ingest-report.js'

/**
 * One error family for the whole SDK. `code` is stable and machine-readable;
 * the HTTP package maps codes to statuses in one place; the CLI prints
 * `message` (never a stack) for codes that are the user's mistake.
 */
export type VehiclePerfErrorCode =
  // A file fails alone with one of these (the run goes on).
  | 'missing_column'
  | 'unknown_kind'
  | 'unreadable'
  // A caller's mistake in how the SDK was set up or called.
  | 'invalid_option'
  // The store: cannot be reached or read, or another ingest holds it, or
  // its disk (or the run's temp folder) is full.
  | 'store_unreachable'
  | 'store_busy'
  | 'disk_full'
  // A run that did not finish: the store is as it was before it.
  | 'ingest_aborted'
  // A bug or an unexpected failure, with the original error on `cause`.
  | 'internal'

/** The codes with which a file fails alone while the run goes on. */
export type FileErrorCode = Extract<VehiclePerfErrorCode, 'missing_column' | 'unknown_kind' | 'unreadable'>

const FILE_ERROR_CODES: ReadonlySet<VehiclePerfErrorCode> = new Set<FileErrorCode>(['missing_column', 'unknown_kind', 'unreadable'])

export interface VehiclePerfErrorOptions {
  cause?: unknown
  /** The store that raised it (`sqlite`, `postgres`, `memory`), as data: never a prefix of the message. */
  store?: string
}


export class VehiclePerfError extends Error {
  readonly code: VehiclePerfErrorCode
  readonly store: string | undefined
  /** Set by `ingest` on the error a run failed with: the run's report, status `failed`, each file's accounting so far. */
  report: IngestReport | undefined
  constructor(code: VehiclePerfErrorCode, message: string, options: VehiclePerfErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'VehiclePerfError'
    this.code = code
    this.store = options.store
  }
}

export function isVehiclePerfError(value: unknown): value is VehiclePerfError {
  return value instanceof VehiclePerfError
}

/** Whether an error fails one file alone (its rows rolled back) rather than the run. */
export function isFileError(error: unknown): error is VehiclePerfError & { code: FileErrorCode } {
  return isVehiclePerfError(error) && FILE_ERROR_CODES.has(error.code)
}

/**
 * The error as one of ours: itself when it is, else `internal` with the
 * original on `cause` (a bug, or a driver error an adapter did not classify).
 */
export function asVehiclePerfError(error: unknown): VehiclePerfError {
  if (isVehiclePerfError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new VehiclePerfError('internal', message, { cause: error })
}
