import { createReadStream, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { buildVehicleResponse } from '../response/vehicle-response.js'
import { computeAsOf, groupRowsByVehicle } from '../response/vehicle-events.js'
import { kindFromFileName } from '../rows/kinds.js'
import { rowKey, type OperationRow } from '../rows/row-types.js'
import { readOperationRows } from '../csv/read-operation-rows.js'
import type { SelectionPolicy, VehicleResponse } from '../response/response-schema.js'

/**
 * The first row of every key, in the order given (three key spaces, one per
 * kind): the oracle the conformance suite holds stores to, written apart
 * from any store.
 */
export function firstOfEveryKey(rows: Iterable<OperationRow>): OperationRow[] {
  const seen = new Set<string>()
  const first: OperationRow[] = []
  for (const row of rows) {
    const key = `${row.kind}:${rowKey(row)}`
    if (seen.has(key)) continue
    seen.add(key)
    first.push(row)
  }
  return first
}

/** What the store must answer, computed by core alone from the raw files (the reference). */
export async function referenceResponses(dir: string, policy: SelectionPolicy = 'recent'): Promise<Map<string, VehicleResponse>> {
  const read: OperationRow[] = []
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.csv') && kindFromFileName(name) !== null)
    .sort()
  for (const name of names) {
    for await (const batch of readOperationRows(createReadStream(join(dir, name)), kindFromFileName(name) as NonNullable<ReturnType<typeof kindFromFileName>>)) {
      for (const { row } of batch.rows) read.push(row)
    }
  }
  const accepted = firstOfEveryKey(read)
  const asOf = computeAsOf(accepted)
  const responses = new Map<string, VehicleResponse>()
  for (const events of groupRowsByVehicle(accepted).values()) responses.set(events.vehicleId, buildVehicleResponse(events, { asOf, policy }))
  return responses
}

export const RIDE_HEADER = 'ride_id,vehicle_id,time_ride_start,time_ride_end,start_lat,start_lng,end_lat,end_lng,gross_amount'
export const DEPLOYMENT_HEADER = 'task_id,vehicle_id,time_task_created,time_task_resolved'
export const PICKUP_HEADER = 'task_id,vehicle_id,qr_code,time_task_created,time_task_resolved'

/** A 20-character id from a short readable stem. */
export function fixtureId(stem: string): string {
  return stem.padEnd(20, '0').slice(0, 20)
}

export function csv(header: string, ...lines: string[]): string {
  return `${header}\n${lines.join('\n')}\n`
}
