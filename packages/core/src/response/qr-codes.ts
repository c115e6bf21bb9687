import type { SequencedPickup } from './vehicle-events.js'

/** A vehicle's claim on a QR code: the recency of its most recent pickup bearing it. */
export interface QrClaim {
  qrCode: string
  /**
   * Fixed-width text that sorts like (time_task_resolved, time_task_created,
   * ingest order): stores keep the greatest claim per QR code without knowing
   * the rule, which lives here.
   */
  recency: string
}

// Shifts epoch ms of years 0000-9999 (with offsets) to non-negative numbers.
const EPOCH_SHIFT = 62_200_000_000_000

function fixed(value: number): string {
  return String(value).padStart(15, '0')
}

export function pickupRecency(pickup: SequencedPickup, fallbackSeq: number): string {
  return fixed(pickup.resolvedAt + EPOCH_SHIFT) + fixed(pickup.createdAt + EPOCH_SHIFT) + fixed(pickup.seq ?? fallbackSeq)
}

/** domain.md §5's order of pickups: resolved time, then created time, then ingest order. */
function isMoreRecent(a: SequencedPickup, aSeq: number, b: SequencedPickup, bSeq: number): boolean {
  if (a.resolvedAt !== b.resolvedAt) return a.resolvedAt > b.resolvedAt
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt
  return aSeq > bSeq
}

/**
 * domain.md §5: a vehicle's QR code is the one of its most recent pickup;
 * it also keeps a claim on every QR code it ever had, and a QR code resolves
 * to the vehicle with the most recent claim.
 */
export function qrCodesOf(pickups: readonly SequencedPickup[]): { qrCode: string | null; claims: QrClaim[] } {
  const latestByCode = new Map<string, { pickup: SequencedPickup; seq: number }>()
  let current: { pickup: SequencedPickup; seq: number } | null = null
  for (let index = 0; index < pickups.length; index++) {
    const pickup = pickups[index] as SequencedPickup
    const seq = pickup.seq ?? index
    const known = latestByCode.get(pickup.qrCode)
    if (known === undefined || isMoreRecent(pickup, seq, known.pickup, known.seq)) latestByCode.set(pickup.qrCode, { pickup, seq })
    if (current === null || isMoreRecent(pickup, seq, current.pickup, current.seq)) current = { pickup, seq }
  }
  const claims = [...latestByCode].map(([qrCode, latest]) => ({ qrCode, recency: pickupRecency(latest.pickup, latest.seq) }))
  return { qrCode: current?.pickup.qrCode ?? null, claims }
}
