import { z } from 'zod'

const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
const money = z.number().nonnegative()
const point = z.object({ lat: z.number(), lng: z.number() }).nullable()
const id = z.string().regex(/^[A-Za-z0-9]{20}$/)

const cycleFields = {
  deployment_id: id,
  started_at: timestamp,
  ended_at: timestamp.nullable(),
  end_reason: z.enum(['pickup', 'redeployed']).nullable(),
  pickup_id: id.nullable(),
  ride_count: z.number().int().nonnegative(),
  revenue: money,
  rides_without_amount: z.number().int().nonnegative(),
  distance_m: z.number().int().nonnegative(),
  ride_time_s: z.number().int().nonnegative(),
  street_time_s: z.number().int().nonnegative(),
  utilization: z.number().nonnegative().nullable(),
  revenue_per_street_hour: money.nullable(),
}

export const cycleSummarySchema = z.object(cycleFields)

export const rideItemSchema = z.object({
  type: z.literal('ride'),
  ride_id: id,
  started_at: timestamp,
  ended_at: timestamp,
  duration_s: z.number().int().nonnegative(),
  start: point,
  end: point,
  distance_m: z.number().int().nonnegative().nullable(),
  gross_amount: money.nullable(),
})

export const cycleItemSchema = z.object({ type: z.literal('cycle'), ...cycleFields })

export const selectionPolicySchema = z.enum(['recent', 'revenue'])

/** The v1 vehicle performance response (domain.md §8), for clients that validate what they receive. */
export const vehicleResponseSchema = z.object({
  vehicle_id: id,
  qr_code: z.string().regex(/^[A-Z0-9]{6}$/).nullable(),
  as_of: timestamp.nullable(),
  policy: selectionPolicySchema,
  current_cycle: cycleSummarySchema.nullable(),
  items: z.array(z.discriminatedUnion('type', [rideItemSchema, cycleItemSchema])).max(5),
  lifetime: z.object({
    cycles: z.number().int().nonnegative(),
    rides: z.number().int().nonnegative(),
    orphan_rides: z.number().int().nonnegative(),
    revenue: money,
    distance_m: z.number().int().nonnegative(),
  }),
})

export type VehicleResponse = z.infer<typeof vehicleResponseSchema>
export type CycleSummary = z.infer<typeof cycleSummarySchema>
export type RideItem = z.infer<typeof rideItemSchema>
export type CycleItem = z.infer<typeof cycleItemSchema>
export type SelectionPolicy = z.infer<typeof selectionPolicySchema>

let jsonSchema: Record<string, unknown> | undefined

/** The same contract as JSON Schema (draft 2020-12), generated from the zod schema. */
export function vehicleResponseJsonSchema(): Record<string, unknown> {
  jsonSchema ??= z.toJSONSchema(vehicleResponseSchema) as Record<string, unknown>
  return jsonSchema
}
