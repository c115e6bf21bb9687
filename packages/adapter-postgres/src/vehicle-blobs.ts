import type { StoredRow } from '@vehicle-perf/core'
import { unpackRecords } from '@vehicle-perf/core/packed-rows'
import { candidateBlobIds, KeyIndexWriter, storedVersionsInBlobs, type FirstOfKey, type VehicleBlob } from '@vehicle-perf/core/spilled-run'
import { BinaryTuples, copyOutBinary } from './binary-copy.js'
import { queryRows, type QueryClient } from './pg-client.js'
import { qualified, type Tables } from './schema.js'

// The store's operation rows: one blob of core's packed rows per vehicle per
// run (vehicle_rows), and core's key index over them (key_index). This file
// writes and reads both; the layouts of a record and of an index entry are
// core's.

/** Candidate blobs read per statement: memory stays bounded (~2.5 MB of blobs at the sample fleet's 27 rows a vehicle). */
const CANDIDATE_BLOBS_PER_READ = 1000

export const BLOB_COLUMNS = ['id', 'vehicle_id', 'records'] as const
export const KEY_INDEX_COLUMNS = ['part', 'entries'] as const

/** Tuples of new blobs and of their key index entries, for binary COPY; the writer numbers the blobs. */
export class VehicleBlobWriter {
  readonly blobs: BinaryTuples
  readonly keys: BinaryTuples
  /** Where each new key goes: a key index writer whose blobs become key_index tuples. */
  readonly keyIndex: KeyIndexWriter

  constructor(
    /** The id the next blob gets: one past the store's largest (the ingest lock keeps it so). */
    private nextId: number,
    tuplesBytes: number,
  ) {
    this.blobs = new BinaryTuples(tuplesBytes)
    this.keys = new BinaryTuples(tuplesBytes)
    this.keyIndex = new KeyIndexWriter((part, entries) => this.keys.tuple(2).int4(part).bytea(entries))
  }

  /** Adds one vehicle's packed rows as a blob; returns the blob's id, for its keys' entries. */
  add(vehicleId: string, packed: Uint8Array): number {
    const id = this.nextId++
    this.blobs.tuple(3).int8(id).text(vehicleId).bytea(packed)
    return id
  }

  get bytes(): number {
    return this.blobs.bytes + this.keys.bytes
  }
}

/** The id the next blob of `tables` gets. */
export async function nextBlobId(client: QueryClient, tables: Tables): Promise<number> {
  const [[largest]] = (await queryRows<[number]>(client, `SELECT coalesce(max(id), 0) FROM ${qualified(tables.vehicleRows)}`)) as [[number]]
  return largest + 1
}

/** A text[] literal of `values`, for a statement that takes no parameters (COPY). */
function textArrayLiteral(values: readonly string[]): string {
  return `ARRAY[${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(',')}]::text[]`
}

/** Blobs as (vehicle id, records) pairs, read in binary (COPY): bytea comes as its bytes, not as hex. */
async function readBlobs(client: QueryClient, select: string): Promise<VehicleBlob[]> {
  return (await copyOutBinary(client, select)).map(([vehicleId, records]) => ({ vehicleId: (vehicleId as Buffer).toString('utf8'), records: records as Buffer }))
}

/** The blobs of these vehicles, each vehicle's in the order they were stored (seq order). */
export async function blobsOf(client: QueryClient, tables: Tables, vehicleIds: readonly string[]): Promise<Map<string, Buffer[]>> {
  const byVehicle = new Map<string, Buffer[]>()
  if (vehicleIds.length === 0) return byVehicle
  const found = await readBlobs(client, `SELECT vehicle_id, records FROM ${qualified(tables.vehicleRows)} WHERE vehicle_id = ANY(${textArrayLiteral(vehicleIds)}) ORDER BY vehicle_id, id`)
  for (const { vehicleId, records } of found) {
    const blobs = byVehicle.get(vehicleId)
    if (blobs === undefined) byVehicle.set(vehicleId, [records])
    else blobs.push(records)
  }
  return byVehicle
}

/** A vehicle's stored rows, in seq order. */
export async function rowsOfVehicle(client: QueryClient, tables: Tables, vehicleId: string): Promise<StoredRow[]> {
  const rows: StoredRow[] = []
  // An ordinary query (hex bytea): one vehicle's few KB, on the pool.
  const blobs = await queryRows<[Buffer]>(client, `SELECT records FROM ${qualified(tables.vehicleRows)} WHERE vehicle_id = $1 ORDER BY id`, [vehicleId])
  for (const [records] of blobs) unpackRecords(records, vehicleId, rows)
  return rows
}

/**
 * The stored version of each key of a run's key partition that the store
 * already has, by the index of the key's first record in the run: the
 * partition's index entries give candidate blobs by hash, and each key is
 * confirmed in its blob (two keys may share a hash).
 */
export async function storedVersionsOf(client: QueryClient, tables: Tables, kindCode: number, part: number, keys: FirstOfKey): Promise<Map<number, StoredRow>> {
  if (!Number.isInteger(part)) throw new Error(`key index part ${part} is not a whole number`)
  const entries = await copyOutBinary(client, `SELECT entries FROM ${qualified(tables.keyIndex)} WHERE part = ${part}`)
  const candidates = candidateBlobIds(
    entries.map(([bytes]) => bytes as Buffer),
    keys,
  )
  const found = new Map<number, StoredRow>()
  const ids = [...candidates]
  // A batch of candidate blobs at a time: a run that repeats most stored keys (a re-ingest) has most blobs as candidates.
  for (let from = 0; from < ids.length; from += CANDIDATE_BLOBS_PER_READ) {
    const batch = ids.slice(from, from + CANDIDATE_BLOBS_PER_READ)
    const blobs = await readBlobs(client, `SELECT vehicle_id, records FROM ${qualified(tables.vehicleRows)} WHERE id = ANY('{${batch.join(',')}}'::int8[])`)
    for (const [first, row] of storedVersionsInBlobs(blobs, kindCode, keys)) found.set(first, row)
  }
  return found
}
