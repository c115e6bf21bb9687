import { VehiclePerfError, isVehiclePerfError, type VehiclePerfErrorCode } from '@vehicle-perf/core'

const STORE = 'postgres'

/** An error of this store: `store: 'postgres'` as data, the driver's error on `cause`. */
export function postgresError(code: VehiclePerfErrorCode, message: string, cause?: unknown): VehiclePerfError {
  return new VehiclePerfError(code, message, { cause, store: STORE })
}

// The server ended a connection that was working: its process was terminated
// (57P01), or the socket broke. Not 57P02 (another process crashed): the
// server is restarting then, and a read tried again at once would only meet
// its recovery.
const ENDED_STATE = ['57P01']
const ENDED_ERRNO = ['ECONNRESET', 'EPIPE']
const ENDED_MESSAGE = 'Connection terminated|Connection ended|Client has encountered a connection error'

// Everything that means the server cannot serve us now: an ended connection,
// Node's other socket errors, connection exceptions (class 08), shutdowns
// (57P01-57P03), too many connections (53300). A standby's recovery conflict
// is 40001: busy, below.
const UNREACHABLE_ERRNO = new Set([...ENDED_ERRNO, 'ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])
const UNREACHABLE_STATE = new Set([...ENDED_STATE, '57P02', '57P03', '53300', '53400'])
const CONNECTION_LOST = new RegExp(`${ENDED_MESSAGE}|connection timeout|timeout expired`, 'i')
const ENDED_CODES = new Set([...ENDED_STATE, ...ENDED_ERRNO])
const CONNECTION_ENDED = new RegExp(ENDED_MESSAGE, 'i')

/** The driver's error and its code (a SQLSTATE or an errno), under drizzle's wrapping. */
function driverErrorAndCode(wrapped: unknown): { error: unknown; code: string | undefined } {
  const error = driverError(wrapped)
  const code = (error as { code?: unknown })?.code
  return { error, code: typeof code === 'string' ? code : undefined }
}

/** Whether the driver's error says the server cannot be reached (rather than a bug or a bad statement). */
export function isUnreachable(wrapped: unknown): boolean {
  const { error, code } = driverErrorAndCode(wrapped)
  if (code !== undefined && (UNREACHABLE_ERRNO.has(code) || UNREACHABLE_STATE.has(code) || code.startsWith('08'))) return true
  return error instanceof Error && CONNECTION_LOST.test(error.message)
}

/**
 * Whether the driver's error says the server ended a working connection
 * (rather than refusing a new one, or a slow or wrong statement): another
 * connection may well work at once (a terminated backend, a failover, a
 * pooler restart). Always also unreachable.
 */
export function isConnectionEnded(wrapped: unknown): boolean {
  const { error, code } = driverErrorAndCode(wrapped)
  if (code !== undefined && ENDED_CODES.has(code)) return true
  return error instanceof Error && CONNECTION_ENDED.test(error.message)
}

/**
 * The driver's own error: drizzle wraps it ("Failed query: ...", the SQL and
 * its parameters) with the driver's error on `cause`.
 */
function driverError(error: unknown): unknown {
  let current = error
  for (let depth = 0; depth < 5; depth++) {
    const inner = (current as { cause?: unknown })?.cause
    if (typeof (current as { code?: unknown })?.code === 'string' || inner === undefined || inner === null) return current
    current = inner
  }
  return current
}

// What a transaction-mode pooler does to a store not told about it: PgBouncer
// refuses the settings sent at connect (08P01), and named statements land on
// server connections that lack them (26000) or have them already (42P05).
const POOLER_SYMPTOM = /unsupported startup parameter/i
const POOLER_STATES = new Set(['26000', '42P05'])
const POOLER_HINT = '; behind PgBouncer in transaction mode? Say transactionPooler: true (?pooler=transaction in a URL)'

/**
 * A driver error as one of ours. `what` says what failed ("lookup failed
 * on", "cannot read"), `where` names the store (schema and server).
 */
export function classify(wrapped: unknown, what: string, where: string): VehiclePerfError {
  if (isVehiclePerfError(wrapped)) return wrapped
  const { error, code } = driverErrorAndCode(wrapped)
  const message = error instanceof Error ? error.message : String(error)
  if (POOLER_SYMPTOM.test(message) || (code !== undefined && POOLER_STATES.has(code))) return postgresError('store_unreachable', `${what} ${where}: ${message}${POOLER_HINT}`, error)
  if (isUnreachable(error)) return postgresError('store_unreachable', `${what} ${where}: ${message}`, error)
  // A statement that ran past statement_timeout: the store is too slow to answer now.
  if (code === '57014') return postgresError('store_unreachable', `${what} ${where}: the server did not answer in time (${message})`, error)
  if (code === '55P03') return postgresError('store_busy', `${what} ${where}: ${message}`, error)
  // A hot standby cancels a read that conflicts with replaying the primary's changes (and a
  // serialization failure or deadlock is the same kind of thing): it works when tried again.
  if (code === '40001' || code === '40P01') return postgresError('store_busy', `${what} ${where}: ${message}; try again`, error)
  // disk_full (53100): the server's disk; a run's temp files are core's (ENOSPC there is disk_full too).
  if (code === '53100') return postgresError('disk_full', `${what} ${where}: the server's disk is full (${message})`, error)
  // An undefined table or schema: the store was never migrated (or another schema was given).
  if (code === '42P01' || code === '3F000') return postgresError('store_unreachable', `${what} ${where}: no vehicle-perf tables there; run migrate() (vehicle-perf ingest does) or check the schema option (${message})`, error)
  // How the store was given, not a fault of ours: the store cannot be used as given (a server on it is not ready, 503).
  if (code?.startsWith('28') === true) {
    return postgresError('store_unreachable', `${what} ${where}: the server's login was refused (${message}); check the user and password in the URL or the pool`, error)
  }
  if (code === '3D000') return postgresError('store_unreachable', `${what} ${where}: ${message}; create it or fix the URL`, error)
  if (code === '42501') {
    return postgresError('store_unreachable', `${what} ${where}: ${message}; the role needs the privilege (to migrate: CREATE on the database; to read: USAGE on the schema and SELECT on its tables)`, error)
  }
  if (code === '25006') return postgresError('invalid_option', `${what} ${where}: the server is read-only (a hot standby?): ingest on the primary (${message})`, error)
  return postgresError('internal', `${what} ${where}: ${message}`, error)
}
