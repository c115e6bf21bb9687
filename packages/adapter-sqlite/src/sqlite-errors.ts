import { VehiclePerfError, type VehiclePerfErrorCode } from '@vehicle-perf/core'

/** An error of this store: `store: 'sqlite'` as data, the driver's error on `cause`. */
export function sqliteError(code: VehiclePerfErrorCode, message: string, cause?: unknown): VehiclePerfError {
  return new VehiclePerfError(code, message, { cause, store: 'sqlite' })
}

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
}

/**
 * A driver error of a run as one of ours: a full disk (SQLITE_FULL), a lock
 * held elsewhere, a file that cannot be read or written, else internal.
 */
export function classifySqlite(error: unknown, what: string, filename: string): VehiclePerfError {
  if (error instanceof VehiclePerfError) return error
  const code = String((error as { code?: unknown })?.code ?? '')
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'SQLITE_FULL') return sqliteError('disk_full', `${what} ${filename}: the disk is full (${message})`, error)
  if (isBusyError(error)) return sqliteError('store_busy', `${what} ${filename}: ${message}`, error)
  if (/^SQLITE_(IOERR|CANTOPEN|CORRUPT|NOTADB|READONLY)/.test(code)) return sqliteError('store_unreachable', `${what} ${filename}: ${message}`, error)
  return sqliteError('internal', `${what} ${filename}: ${message}`, error)
}
