import type { RowKind, StoredRow } from '@vehicle-perf/core'
import type { Tables } from './schema.js'
import { qualified } from './schema.js'

// Stored rows read back for core: every kind in one column layout, so one
// statement can read a vehicle's deployments, pickups and rides at once.
//
//   vehicle_id, seq, kind, key, t1, t2, qr_code, start_lat, start_lng, end_lat, end_lng, amount_cents

type Values = [string, number, number, string, number, number, string | null, number | null, number | null, number | null, number | null, number | null]
export type StoredRowValues = Values

/** SELECT of one kind's rows in the common layout; `where` filters them ($1 is an array). */
export function selectStored(tables: Tables, kind: RowKind, where: 'key' | 'vehicle'): string {
  switch (kind) {
    case 'deployment':
      return `SELECT vehicle_id, seq, 0, task_id, created_at, resolved_at, NULL::text, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::int8
        FROM ${qualified(tables.deployments)} WHERE ${where === 'key' ? 'task_id' : 'vehicle_id'} = ANY($1::text[])`
    case 'pickup':
      return `SELECT vehicle_id, seq, 1, task_id, created_at, resolved_at, qr_code, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::int8
        FROM ${qualified(tables.pickups)} WHERE ${where === 'key' ? 'task_id' : 'vehicle_id'} = ANY($1::text[])`
    case 'ride':
      return `SELECT vehicle_id, seq, 2, ride_id, started_at, ended_at, NULL::text, start_lat, start_lng, end_lat, end_lng, amount_cents
        FROM ${qualified(tables.rides)} WHERE ${where === 'key' ? 'ride_id' : 'vehicle_id'} = ANY($1::text[])`
  }
}

/** The row of a result in the common layout. */
export function storedRowOf(v: Values): StoredRow {
  const [vehicleId, seq, kind, key, t1, t2, qrCode, startLat, startLng, endLat, endLng, amountCents] = v
  if (kind === 0) return { kind: 'deployment', taskId: key, vehicleId, createdAt: t1, resolvedAt: t2, seq }
  if (kind === 1) return { kind: 'pickup', taskId: key, vehicleId, qrCode: qrCode as string, createdAt: t1, resolvedAt: t2, seq }
  return {
    kind: 'ride',
    rideId: key,
    vehicleId,
    startedAt: t1,
    endedAt: t2,
    start: startLat === null ? null : { lat: startLat, lng: startLng as number },
    end: endLat === null ? null : { lat: endLat, lng: endLng as number },
    amountCents,
    seq,
  }
}
