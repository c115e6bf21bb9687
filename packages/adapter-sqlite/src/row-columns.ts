import type { DeploymentRow, OperationRow, PickupRow, RideRow, RowKind } from '@vehicle-perf/core'

// How schema 2's row tables map to typed rows: read once, by schema step 3,
// which packs them into blobs. Storage only: no rule lives here.

export const ROW_TABLES: Record<RowKind, { table: string; key: string; columns: string[] }> = {
  deployment: { table: 'deployments', key: 'task_id', columns: ['task_id', 'vehicle_id', 'created_at', 'resolved_at'] },
  pickup: { table: 'pickups', key: 'task_id', columns: ['task_id', 'vehicle_id', 'qr_code', 'created_at', 'resolved_at'] },
  ride: {
    table: 'rides',
    key: 'ride_id',
    columns: ['ride_id', 'vehicle_id', 'started_at', 'ended_at', 'start_lat', 'start_lng', 'end_lat', 'end_lng', 'amount_cents'],
  },
}

export type SqlValue = string | number | null

/** Columns read back, in this order, by every query that returns rows: seq, then the kind's columns. */
export function selectColumns(kind: RowKind, alias = ''): string {
  return ['seq', ...ROW_TABLES[kind].columns].map((column) => `${alias}${column}`).join(', ')
}

type Values = readonly SqlValue[]

// Positions follow selectColumns: [seq, ...ROW_TABLES[kind].columns].

export function deploymentFrom(v: Values): DeploymentRow {
  return { kind: 'deployment', taskId: v[1] as string, vehicleId: v[2] as string, createdAt: v[3] as number, resolvedAt: v[4] as number }
}

export function pickupFrom(v: Values): PickupRow & { seq: number } {
  return { kind: 'pickup', taskId: v[1] as string, vehicleId: v[2] as string, qrCode: v[3] as string, createdAt: v[4] as number, resolvedAt: v[5] as number, seq: v[0] as number }
}

export function rideFrom(v: Values): RideRow {
  return {
    kind: 'ride',
    rideId: v[1] as string,
    vehicleId: v[2] as string,
    startedAt: v[3] as number,
    endedAt: v[4] as number,
    start: v[5] === null ? null : { lat: v[5] as number, lng: v[6] as number },
    end: v[7] === null ? null : { lat: v[7] as number, lng: v[8] as number },
    amountCents: v[9] as number | null,
  }
}

export function rowFrom(kind: RowKind, v: Values): OperationRow {
  if (kind === 'deployment') return deploymentFrom(v)
  if (kind === 'pickup') {
    const { seq: _seq, ...pickup } = pickupFrom(v)
    return pickup
  }
  return rideFrom(v)
}
