import type { DeploymentRow, OperationRow, PickupRow, RideRow, RowKind } from '@vehicle-perf/core'

// How typed rows map to columns and back. Storage only: no rule lives here.

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

export function rowValues(row: OperationRow): SqlValue[] {
  switch (row.kind) {
    case 'deployment':
      return [row.taskId, row.vehicleId, row.createdAt, row.resolvedAt]
    case 'pickup':
      return [row.taskId, row.vehicleId, row.qrCode, row.createdAt, row.resolvedAt]
    case 'ride':
      return [
        row.rideId,
        row.vehicleId,
        row.startedAt,
        row.endedAt,
        row.start?.lat ?? null,
        row.start?.lng ?? null,
        row.end?.lat ?? null,
        row.end?.lng ?? null,
        row.amountCents,
      ]
  }
}

type Record_ = Record<string, SqlValue>

export function deploymentFrom(r: Record_): DeploymentRow {
  return { kind: 'deployment', taskId: r.task_id as string, vehicleId: r.vehicle_id as string, createdAt: r.created_at as number, resolvedAt: r.resolved_at as number }
}

export function pickupFrom(r: Record_): PickupRow & { seq: number } {
  return {
    kind: 'pickup',
    taskId: r.task_id as string,
    vehicleId: r.vehicle_id as string,
    qrCode: r.qr_code as string,
    createdAt: r.created_at as number,
    resolvedAt: r.resolved_at as number,
    seq: r.seq as number,
  }
}

export function rideFrom(r: Record_): RideRow {
  return {
    kind: 'ride',
    rideId: r.ride_id as string,
    vehicleId: r.vehicle_id as string,
    startedAt: r.started_at as number,
    endedAt: r.ended_at as number,
    start: r.start_lat === null ? null : { lat: r.start_lat as number, lng: r.start_lng as number },
    end: r.end_lat === null ? null : { lat: r.end_lat as number, lng: r.end_lng as number },
    amountCents: r.amount_cents as number | null,
  }
}

export function rowFrom(kind: RowKind, r: Record_): OperationRow {
  if (kind === 'deployment') return deploymentFrom(r)
  if (kind === 'pickup') {
    const { seq: _seq, ...pickup } = pickupFrom(r)
    return pickup
  }
  return rideFrom(r)
}
