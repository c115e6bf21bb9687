/** A WGS84 point in decimal degrees. A 0 latitude or longitude in the data means "no point". */
export interface GeoPoint {
  lat: number
  lng: number
}

/** A scooter put on the street. Times are UTC epoch milliseconds. */
export interface DeploymentRow {
  kind: 'deployment'
  taskId: string
  vehicleId: string
  createdAt: number
  resolvedAt: number
}

/** A scooter taken off the street. `qrCode` is upper-case. */
export interface PickupRow {
  kind: 'pickup'
  taskId: string
  vehicleId: string
  qrCode: string
  createdAt: number
  resolvedAt: number
}

export interface RideRow {
  kind: 'ride'
  rideId: string
  vehicleId: string
  startedAt: number
  endedAt: number
  start: GeoPoint | null
  end: GeoPoint | null
  /** Integer cents, null when the amount is missing. */
  amountCents: number | null
}

export type OperationRow = DeploymentRow | PickupRow | RideRow

/** The primary key: task_id for deployments and pickups, ride_id for rides. Key spaces are per kind. */
export function rowKey(row: OperationRow): string {
  return row.kind === 'ride' ? row.rideId : row.taskId
}

/** The latest of the row's timestamps: what `as_of` is made of. */
export function latestTimestamp(row: OperationRow): number {
  return row.kind === 'ride' ? Math.max(row.startedAt, row.endedAt) : Math.max(row.createdAt, row.resolvedAt)
}

/**
 * A row as a store keeps it: with `seq`, its place in the store's global
 * ingest order. Core hands out seqs when it stages rows (each run's are
 * greater than every earlier run's, in read order); a store keeps them with
 * the rows and never changes them. They decide domain.md §5-6's ties: QR code
 * recency and deployments resolved at the same time.
 */
export type StoredRow = OperationRow & { readonly seq: number }

/** The row without its seq (how two versions of a key are logged and compared). */
export function withoutSeq(row: OperationRow | StoredRow): OperationRow {
  if (!('seq' in row)) return row
  const { seq: _seq, ...plain } = row
  return plain as OperationRow
}
