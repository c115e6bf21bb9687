import { statSync } from 'node:fs'
import type Database from 'better-sqlite3'
import type { DuplicateRecord, IngestReport, RejectRecord, RowKind, StoredRow, StoreMeta, VehicleView } from '@vehicle-perf/core'
import { PACKED_ROW_KIND_CODES } from '@vehicle-perf/core/packed-rows'
import type { FirstOfKey, FreshRows, KeyIndexWriter, SpilledRunBackend } from '@vehicle-perf/core/spilled-run'
import { keyIndexWriterFor, storedVersionsOf } from './key-index.js'
import { nextRunSeq, readMeta, recordRun } from './sqlite-runs.js'
import { classifySqlite } from './sqlite-errors.js'

type Statement = Database.Statement<unknown[], unknown>

/** Past this, a run's commit truncates the WAL (smaller ones are left to SQLite's auto-checkpoint). */
const TRUNCATE_WAL_ABOVE = 64 << 20

function walBytes(filename: string): number {
  try {
    return statSync(`${filename}-wal`).size
  } catch {
    return 0
  }
}

/**
 * One run on SQLite, as core's spilled run sees it: the write connection
 * inside the run's transaction (BEGIN IMMEDIATE, which is also the
 * cross-process ingest lock), a savepoint per file, and rows kept as one
 * blob of packed rows per vehicle per run, their keys in the store's key
 * index. Core settles keys and orders rows in temp files; this only stores
 * and finds.
 */
export class SqliteRun implements SpilledRunBackend {
  readonly store = 'sqlite'
  readonly hasStoredRows: boolean
  /** Small integer stored on every blob instead of the run id. */
  private readonly runSeq: number
  private readonly insertReject: Statement
  private readonly insertDuplicate: Statement
  private readonly upsertView: Statement
  private readonly deleteClaims: Statement
  private readonly insertClaim: Statement
  private readonly insertBlob: Statement
  private readonly blobsOfVehicle: Statement
  private keyIndex: KeyIndexWriter | null = null
  private finished = false

  constructor(
    private readonly db: Database.Database,
    readonly runId: string,
    readonly startedAt: Date,
    private readonly release: () => void,
    private readonly filename: string,
  ) {
    this.runSeq = nextRunSeq(db)
    this.hasStoredRows = db.prepare('SELECT EXISTS (SELECT 1 FROM vehicle_rows)').pluck().get() === 1
    this.insertReject = db.prepare('INSERT INTO rejected_rows (run_id, source, line, kind, fields, truncated, reasons) VALUES (?, ?, ?, ?, ?, ?, ?)')
    this.insertDuplicate = db.prepare('INSERT INTO duplicate_rows (run_id, kind, key, source, line, classification, kept, incoming) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
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

  /** Runs a step of the run, turning a driver error (a full disk, a lost file) into one of ours. */
  private guard<T>(work: () => T): T {
    try {
      return work()
    } catch (error) {
      throw classifySqlite(error, 'ingest failed on', this.filename)
    }
  }

  /** The store's secret seed of key hashes: the key index is cut by them. */
  keySeed(): number {
    return this.db.prepare('SELECT key_seed FROM store_meta WHERE id = 1').pluck().get() as number
  }

  async meta(): Promise<StoreMeta> {
    return this.guard(() => {
      return readMeta(this.db)
    })
  }

  async fileAlreadyIngested(sha256: string): Promise<boolean> {
    return this.guard(() => {
      const found = this.db
        .prepare(`SELECT 1 FROM ingest_files f JOIN ingest_runs r ON r.run_id = f.run_id WHERE f.sha256 = ? AND f.error_code IS NULL AND r.status = 'succeeded' LIMIT 1`)
        .get(sha256)
      return found !== undefined
    })
  }

  async beginFile(): Promise<void> {
    return this.guard(() => {
      this.db.exec('SAVEPOINT ingest_file')
    })
  }

  async commitFile(): Promise<void> {
    return this.guard(() => {
      this.db.exec('RELEASE ingest_file')
    })
  }

  async rollbackFile(): Promise<void> {
    return this.guard(() => {
      this.db.exec('ROLLBACK TO ingest_file; RELEASE ingest_file')
    })
  }

  async logRejects(rejects: readonly RejectRecord[]): Promise<void> {
    return this.guard(() => {
      for (const reject of rejects) {
        this.insertReject.run(this.runId, reject.source, reject.line, reject.kind, JSON.stringify(reject.fields), reject.truncated ? 1 : 0, reject.reasons.join(','))
      }
    })
  }

  async logDuplicates(duplicates: readonly DuplicateRecord[]): Promise<void> {
    return this.guard(() => {
      for (const d of duplicates) {
        // An exact duplicate equals the kept row, which stays stored; a conflict keeps both versions here.
        const both = d.classification === 'conflict'
        this.insertDuplicate.run(this.runId, d.kind, d.key, d.source, d.line, d.classification, both ? JSON.stringify(d.kept) : null, both ? JSON.stringify(d.incoming) : null)
      }
    })
  }

  async storedVersions(kind: RowKind, part: number, keys: FirstOfKey): Promise<Map<number, StoredRow>> {
    return this.guard(() => {
      return storedVersionsOf(this.db, PACKED_ROW_KIND_CODES[kind], part, keys)
    })
  }

  async *storedVehicleIds(): AsyncIterable<string> {
    yield* this.db.prepare('SELECT DISTINCT vehicle_id FROM vehicle_rows ORDER BY vehicle_id').pluck().iterate() as Iterable<string>
  }

  async storedRowsOf(vehicleIds: readonly string[]): Promise<Map<string, readonly Buffer[]>> {
    return this.guard(() => {
      const rows = new Map<string, readonly Buffer[]>()
      for (const vehicleId of vehicleIds) rows.set(vehicleId, this.blobsOfVehicle.all(vehicleId) as Buffer[])
      return rows
    })
  }

  storeRows(vehicleId: string, rows: FreshRows): void {
    this.guard(() => this.storeBlob(vehicleId, rows))
  }

  private storeBlob(vehicleId: string, rows: FreshRows): void {
    const blobId = Number(this.insertBlob.run(vehicleId, this.runSeq, rows.packed).lastInsertRowid)
    const index = (this.keyIndex ??= keyIndexWriterFor(this.db))
    for (const offset of rows.offsets) index.add(rows.records, offset, blobId)
  }

  async rowsStored(): Promise<void> {
    return this.guard(() => {
      this.keyIndex?.flush()
    })
  }

  async saveViews(views: readonly VehicleView[]): Promise<void> {
    return this.guard(() => {
      for (const view of views) {
        const open = view.openCycle
        this.upsertView.run(view.vehicleId, view.qrCode, view.template, open?.startedAt ?? null, open?.rideTimeS ?? null, open?.revenueCents ?? null, view.contentHash)
        // In a store without rows no vehicle has claims yet.
        if (this.hasStoredRows) this.deleteClaims.run(view.vehicleId)
        for (const claim of view.qrClaims) this.insertClaim.run(view.vehicleId, claim.qrCode, claim.recency)
      }
    })
  }

  async commit(report: IngestReport, meta: StoreMeta): Promise<void> {
    // A commit that fails (a full disk at COMMIT, when the run's pages are
    // written) is rolled back but not ended: core then calls rollback(),
    // which records the run as failed and releases it.
    try {
      this.guard(() => {
        recordRun(this.db, report, this.runSeq)
        this.db
          .prepare('UPDATE store_meta SET as_of = ?, data_version = ?, policy = ?, next_seq = ? WHERE id = 1')
          .run(meta.asOf, meta.dataVersion, meta.policy, meta.nextSeq)
        this.db.exec('COMMIT')
      })
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw error
    }
    this.finish(() => {})
    // A large run's pages go from the WAL into the store now, and the WAL
    // back to nothing: otherwise it keeps its largest size (hundreds of MB)
    // until the last connection closes. Best effort: a reader in the middle
    // of a read holds it; the next commit or close checkpoints then.
    if (walBytes(this.filename) > TRUNCATE_WAL_ABOVE) {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)')
      } catch {
        // Busy: see above.
      }
    }
  }

  /** Rolls everything back, then records the failed run in its own small transaction. */
  async rollback(report: IngestReport): Promise<void> {
    this.finish(() => {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      this.db.transaction(() => recordRun(this.db, report, nextRunSeq(this.db)))()
    })
  }

  private finish(work: () => void): void {
    if (this.finished) return
    this.finished = true
    try {
      this.guard(work)
    } finally {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      this.release()
    }
  }
}
