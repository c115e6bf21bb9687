import type pg from 'pg'
import { rowKey, type StoredRow } from '@vehicle-perf/core'
import { PACKED_ROW_KIND_CODES, packVehicles } from '@vehicle-perf/core/packed-rows'
import { keyHashHi, keyHashLo } from '@vehicle-perf/core/spilled-run'
import { copyBinary } from './binary-copy.js'
import { execute, queryRows } from './pg-client.js'
import { qualified, type Tables } from './schema.js'
import { BLOB_COLUMNS, KEY_INDEX_COLUMNS, nextBlobId, VehicleBlobWriter } from './vehicle-blobs.js'

// Schema step 3's work: a store made before rows were packed kept them in
// three typed tables (deployments, pickups, rides). Their rows become one
// blob per vehicle with their keys in the key index, and the tables go.

/** Vehicles packed per statement: memory stays bounded by a batch, whatever the store's size. */
const VEHICLES_PER_BATCH = 2000
const TUPLES_BYTES = 4 << 20

/** The typed rows' columns in one layout, so that one statement reads every kind (the reads of schema 2). */
type Values = [string, number, number, string, number, number, string | null, number | null, number | null, number | null, number | null, number | null]

function typedRowsOf(schema: string): string {
  return `SELECT vehicle_id, seq, 0, task_id, created_at, resolved_at, NULL::text, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::int8
      FROM ${schema}.deployments WHERE vehicle_id = ANY($1::text[])
    UNION ALL SELECT vehicle_id, seq, 1, task_id, created_at, resolved_at, qr_code, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::int8
      FROM ${schema}.pickups WHERE vehicle_id = ANY($1::text[])
    UNION ALL SELECT vehicle_id, seq, 2, ride_id, started_at, ended_at, NULL::text, start_lat, start_lng, end_lat, end_lng, amount_cents
      FROM ${schema}.rides WHERE vehicle_id = ANY($1::text[])
    ORDER BY 1, 2`
}

function rowOf(v: Values): StoredRow {
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

/** Whether the store still has the typed row tables of schema 2. */
export async function hasTypedRows(client: pg.PoolClient, tables: Tables): Promise<boolean> {
  const schema = qualified(tables.storeMeta).split('.')[0] as string
  const [[found]] = (await queryRows<[boolean]>(client, `SELECT to_regclass($1) IS NOT NULL`, [`${schema}.rides`])) as [[boolean]]
  return found
}

/**
 * Packs the typed rows into vehicle_rows and the key index (under the
 * store's key seed), vehicle by vehicle in seq order, then drops the typed
 * tables. Runs in the migration's transaction, holding the ingest lock.
 */
export async function packTypedRows(client: pg.PoolClient, tables: Tables, keySeed: number): Promise<void> {
  const schema = qualified(tables.storeMeta).split('.')[0] as string
  const vehicles = await queryRows<[string]>(
    client,
    `SELECT vehicle_id FROM ${schema}.deployments UNION SELECT vehicle_id FROM ${schema}.pickups UNION SELECT vehicle_id FROM ${schema}.rides ORDER BY 1`,
  )
  const writer = new VehicleBlobWriter(await nextBlobId(client, tables), TUPLES_BYTES)
  const flush = async (): Promise<void> => {
    if (writer.blobs.count > 0) await copyBinary(client, qualified(tables.vehicleRows), BLOB_COLUMNS, writer.blobs.take())
    if (writer.keys.count > 0) await copyBinary(client, qualified(tables.keyIndex), KEY_INDEX_COLUMNS, writer.keys.take())
  }
  const statement = typedRowsOf(schema)
  for (let from = 0; from < vehicles.length; from += VEHICLES_PER_BATCH) {
    const batch = vehicles.slice(from, from + VEHICLES_PER_BATCH).map(([vehicleId]) => vehicleId)
    const rows = (await queryRows<Values>(client, statement, [batch])).map(rowOf)
    for (let start = 0; start < rows.length; ) {
      const vehicleId = (rows[start] as StoredRow).vehicleId
      let end = start
      while (end < rows.length && (rows[end] as StoredRow).vehicleId === vehicleId) end++
      const id = writer.add(vehicleId, packVehicles([{ vehicleId, rows: rows.slice(start, end) }]).records)
      for (let i = start; i < end; i++) {
        const row = rows[i] as StoredRow
        const code = PACKED_ROW_KIND_CODES[row.kind]
        const key = rowKey(row)
        writer.keyIndex.addHashes(code, keyHashLo(code, key, keySeed), keyHashHi(code, key, keySeed), id)
      }
      start = end
    }
    await flush()
  }
  writer.keyIndex.flush()
  await flush()
  await execute(client, `DROP TABLE ${schema}.deployments, ${schema}.pickups, ${schema}.rides`)
}
