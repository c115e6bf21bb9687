import { z } from 'zod'

// zod schemas for the three normalised row kinds: what a pipeline hands to
// core, and what normalisation guarantees to produce (a property test checks it).
const id = z.string().regex(/^[A-Za-z0-9]{20}$/)
const epochMs = z.number().int()
const point = z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).nullable()

export const deploymentRowSchema = z.object({
  kind: z.literal('deployment'),
  taskId: id,
  vehicleId: id,
  createdAt: epochMs,
  resolvedAt: epochMs,
})

export const pickupRowSchema = z.object({
  kind: z.literal('pickup'),
  taskId: id,
  vehicleId: id,
  qrCode: z.string().regex(/^[A-Z0-9]{6}$/),
  createdAt: epochMs,
  resolvedAt: epochMs,
})

export const rideRowSchema = z.object({
  kind: z.literal('ride'),
  rideId: id,
  vehicleId: id,
  startedAt: epochMs,
  endedAt: epochMs,
  start: point,
  end: point,
  amountCents: z.number().int().nonnegative().nullable(),
})

export const operationRowSchema = z.discriminatedUnion('kind', [deploymentRowSchema, pickupRowSchema, rideRowSchema])
