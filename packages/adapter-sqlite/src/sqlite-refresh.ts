import type Database from 'better-sqlite3'
import type { IngestReport, RefreshSession, StoreMeta, VehicleHistory, VehicleView } from '@vehicle-perf/core'
import { packedRowSize, unpackVehicles, type PackedVehicles } from '@vehicle-perf/core/packed-rows'
import { ROW_KINDS } from '@vehicle-perf/core'
import { recordKindCode, recordVehicle, TOUCH_MARK, writeStoredRecord } from './spill-records.js'
import { VEHICLE_PARTITIONS, vehicleFile } from './run-spill.js'
import { KeyIndexWriter } from './key-index.js'
import { rangeInSeqOrder } from './seq-order.js'
import { ChunkBuilder } from './chunk-builder.js'
import type { SqliteRun } from './sqlite-run.js'
import { sqliteError } from './sqlite-errors.js'

type Statement = Database.Statement<unknown[], unknown>

/** Stored size of a row of each kind code (core's packed rows). */
const STORED_SIZES: readonly number[] = ROW_KINDS.map((kind) => packedRowSize(kind))

/**
 * Phase 2 of a run on SQLite: the refresh reads one vehicle partition at a
 * time, so vehicles in id order. Each vehicle's stored blobs and the run's
 * new rows go to core's refresh in chunks of packed rows (the `packedRows`
 * capability: no decoding here), and the new rows are stored as they go,
 * one blob per vehicle per run, their keys appended to the key index. In id
 * order, every table keyed by vehicle id (views, claims, the blob index) is
 * written at its right edge.
 */
export class SqliteRefresh implements RefreshSession {
  private readonly upsertView: Statement
  private readonly deleteClaims: Statement
  private readonly insertClaim: Statement
  private readonly insertBlob: Statement
  private readonly blobsOfVehicle: Statement
  private stored = false

  constructor(
    private readonly run: SqliteRun,
    readonly vehicleCount: number,
  ) {
    const { db } = run
    this.upsertView = db.prepare(`
      INSERT INTO vehicle_views (vehicle_id, qr_code, template, open_started_at, open_ride_time_s, open_revenue_cents, content_hash)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (vehicle_id) DO UPDATE SET qr_code = excluded.qr_code, template = excluded.template,
        open_started_at = excluded.open_started_at, open_ride_time_s = excluded.open_ride_time_s,
        open_revenue_cents = excluded.open_revenue_cents, content_hash = excluded.content_hash`)
    this.deleteClaims = db.prepare('DELETE FROM qr_claims WHERE vehicle_id = ?')
    this.insertClaim = db.prepare('INSERT INTO qr_claims (vehicle_id, qr_code, recency) VALUES (?, ?, ?)')
    this.insertBlob = db.prepare('INSERT INTO vehicle_rows (vehicle_id, run_seq, records) VALUES (?, ?, ?)')
    this.blobsOfVehicle = db.prepare('SELECT records FROM vehicle_rows WHERE vehicle_id = ? ORDER BY id').pluck()
  }

  get runId(): string {
    return this.run.runId
  }

  /**
   * The vehicles to refresh in id order, one vehicle range at a time: each
   * vehicle's stored blobs, then this run's rows, as packed rows. Stores each
   * vehicle's new rows as it goes.
   */
  async *packedVehicles(chunkSize: number): AsyncIterable<PackedVehicles> {
    if (this.stored) throw sqliteError('internal', 'the refresh read its vehicles twice')
    this.stored = true
    const { db, spill, startMeta } = this.run
    const index = new KeyIndexWriter(db)
    const chunk = new ChunkBuilder()
    for (let q = 0; q < VEHICLE_PARTITIONS; q++) {
      const records = spill.guard(() => spill.take(vehicleFile(q)))
      if (records === null) continue
      // Grouped in ingest order, each vehicle's new records come in order; a touch mark only names its vehicle.
      const byVehicle = new Map<string, number[]>()
      for (const offset of rangeInSeqOrder(records, startMeta.nextSeq)) {
        const vehicleId = recordVehicle(records, offset)
        let offsets = byVehicle.get(vehicleId)
        if (offsets === undefined) byVehicle.set(vehicleId, (offsets = []))
        if (recordKindCode(records, offset) !== TOUCH_MARK) offsets.push(offset)
      }
      for (const vehicleId of [...byVehicle.keys()].sort()) {
        this.storeVehicle(vehicleId, records, byVehicle.get(vehicleId) as number[], index, chunk)
        if (chunk.vehicles >= chunkSize) yield chunk.take()
      }
    }
    index.flush()
    if (chunk.vehicles > 0) yield chunk.take()
  }

  /** The same vehicles as plain rows (for a caller that does not use the packed path). */
  async *vehicles(chunkSize: number): AsyncIterable<readonly VehicleHistory[]> {
    for await (const packed of this.packedVehicles(chunkSize)) yield unpackVehicles(packed)
  }

  /**
   * Adds a vehicle's records to `chunk`: its stored blobs, then this run's
   * records (`fresh`, offsets in ingest order), which it stores as one blob.
   */
  private storeVehicle(vehicleId: string, records: Buffer, fresh: number[], index: KeyIndexWriter, chunk: ChunkBuilder): void {
    if (this.run.storeHasRows) {
      for (const blob of this.blobsOfVehicle.iterate(vehicleId) as Iterable<Buffer>) chunk.append(blob)
    }
    if (fresh.length > 0) {
      let bytes = 0
      for (const offset of fresh) bytes += STORED_SIZES[recordKindCode(records, offset)] as number
      const { target, offset: start } = chunk.reserve(bytes)
      let at = start
      for (const offset of fresh) at += writeStoredRecord(records, offset, target, at)
      const blobId = Number(this.insertBlob.run(vehicleId, this.run.runSeq, target.subarray(start, at)).lastInsertRowid)
      for (const offset of fresh) index.add(records, offset, blobId)
    }
    chunk.endVehicle(vehicleId)
  }

  async saveViews(views: readonly VehicleView[]): Promise<void> {
    for (const view of views) {
      const open = view.openCycle
      this.upsertView.run(view.vehicleId, view.qrCode, view.template, open?.startedAt ?? null, open?.rideTimeS ?? null, open?.revenueCents ?? null, view.contentHash)
      // In a store without rows no vehicle has claims yet.
      if (this.run.storeHasRows) this.deleteClaims.run(view.vehicleId)
      for (const claim of view.qrClaims) this.insertClaim.run(view.vehicleId, claim.qrCode, claim.recency)
    }
  }

  async commit(report: IngestReport, meta: StoreMeta): Promise<void> {
    // Rows are stored as the refresh reads them; a caller that skipped it still stores them.
    if (!this.stored) for await (const _chunk of this.packedVehicles(1000)) void _chunk
    this.run.commit(report, meta)
  }

  async rollback(report: IngestReport): Promise<void> {
    this.run.rollback(report)
  }
}
