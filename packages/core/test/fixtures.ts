import type { DeploymentRow, PickupRow, RideRow } from '@vehicle-perf/core'

/** Hand-made rows for rule tests. Times are given as ISO strings for readability. */
export const VEHICLE = 'f42vVrTOJh7yVYJACDCv'

export function at(iso: string): number {
  return Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`)
}

function id(prefix: string, n: number | string): string {
  return `${prefix}${String(n)}`.padEnd(20, '0').slice(0, 20)
}

export function deployment(n: number, created: string, resolved = created, vehicleId = VEHICLE): DeploymentRow {
  return { kind: 'deployment', taskId: id('D', n), vehicleId, createdAt: at(created), resolvedAt: at(resolved) }
}

export function pickup(n: number, created: string, resolved = created, qrCode = 'XXBGC5', vehicleId = VEHICLE): PickupRow {
  return { kind: 'pickup', taskId: id('P', n), vehicleId, qrCode, createdAt: at(created), resolvedAt: at(resolved) }
}

export function ride(
  n: number,
  start: string,
  options: { end?: string; amountCents?: number | null; from?: [number, number] | null; to?: [number, number] | null; vehicleId?: string } = {},
): RideRow {
  const startedAt = at(start)
  const from: [number, number] | null = options.from === undefined ? [48.83, 2.38] : options.from
  const to: [number, number] | null = options.to === undefined ? [48.83, 2.36] : options.to
  return {
    kind: 'ride',
    rideId: id('R', n),
    vehicleId: options.vehicleId ?? VEHICLE,
    startedAt,
    endedAt: options.end === undefined ? startedAt + 600_000 : at(options.end),
    start: from === null ? null : { lat: from[0], lng: from[1] },
    end: to === null ? null : { lat: to[0], lng: to[1] },
    amountCents: options.amountCents === undefined ? 250 : options.amountCents,
  }
}
