import type Database from 'better-sqlite3'
import type {
  DuplicateRecord,
  IngestReport,
  IngestSession,
  OperationRow,
  RejectRecord,
  ResolveStep,
  RowKind,
  StagedDuplicate,
  StagedRow,
  StoreMeta,
  VehicleRecordsChunk,
  VehicleView,
} from '@vehicle-perf/core'
import { ROW_CODE_KINDS, ROW_KIND_CODES, ROW_RECORD_SIZES, rowKey } from '@vehicle-perf/core'
import {
  keyHashLo,
  RECORD_SIZES,
  TOUCH_MARK,
  VEHICLE,
  readPlainRow,
  writeStoredRecord,
  recordFile,
  recordKey,
  recordLine,
  recordKindCode,
  recordVehicle,
  writeRecord,
  writeTouchMark,
} from './packed-rows.js'
import { KEY_PARTITIONS, RunSpill, VEHICLE_PARTITIONS } from './run-spill.js'
import { nextRunSeq, readMeta, recordRun } from './sqlite-runs.js'
import { keyIndexPart, KeyIndexWriter, storedVersionsOf } from './key-index.js'
import { VehicleRanges, VehicleSample } from './vehicle-ranges.js'
import { FirstOfKey } from './first-of-key.js'
import { rangeInSeqOrder } from './seq-order.js'
import { ChunkBuilder } from './chunk-builder.js'
import { countDistinctVehicles } from './distinct-vehicles.js'

type Statement = Database.Statement<unknown[], unknown>

const keyFile = (part: number): string => `k${part}`
const vehicleFile = (part: number): string => `v${part}`

/**
 * One ingest run on the write connection: one transaction (BEGIN IMMEDIATE,
 * which is also the cross-process ingest lock) and a savepoint per file for
 * its logged rejects. Rows never go through SQLite one by one:
 *
 * - stageRows packs each row into a fixed-size record appended to a temp
 *   file of its key partition (kind, key hash);
 * - resolveStaged reads one key partition at a time: the first record of a
 *   key wins unless the store's key index (hashes, each pointing at the
 *   vehicle blob that holds the key) has it, checked against the blob itself;
 *   winners go on to a temp file of their vehicle partition;
 * - touchedVehicles reads one vehicle partition at a time, joins each
 *   vehicle's stored blobs with its new rows, writes the new rows as one blob
 *   and their keys to the key index.
 *
 * Memory is bounded by a partition, not by the run; temp disk holds the run's
 * rows about once.
 */
export class SqliteIngestSession implements IngestSession {
  private readonly insertReject: Statement
  private readonly insertDuplicate: Statement
  private readonly upsertView: Statement
  private readonly deleteClaims: Statement
  private readonly insertClaim: Statement
  private readonly insertBlob: Statement
  private readonly blobsOfVehicle: Statement
  private readonly spill: RunSpill
  private fileMarks: Map<string, number> | null = null
  private finished = false
  private readonly runSeq: number
  /** Global ingest order of rows; persisted in store_meta at commit. */
  private nextSeq: number
  /** The seq of the run's first row. */
  private readonly firstSeq: number
  /** The store's secret seed of key hashes (store_meta.key_seed). */
  private readonly keySeed: number
  private resolved = false
  private stored = false
  /** False in an empty store: no key index to read, no stored rows to join. */
  private readonly storeHasRows: boolean
  private touchedCount: number | null = null
  private readonly vehicleSample = new VehicleSample()
  /** Where vehicle partitions are cut (set when keys are settled, or by touchAllVehicles in a run without rows). */
  private vehicleRanges: VehicleRanges | null = null

  constructor(
    private readonly db: Database.Database,
    readonly runId: string,
    readonly startedAt: Date,
    private readonly release: () => void,
    tempDir?: string,
  ) {
    this.spill = new RunSpill(tempDir)
    this.runSeq = nextRunSeq(db)
    const meta = db.prepare('SELECT next_seq, key_seed FROM store_meta WHERE id = 1').get() as { next_seq: number; key_seed: number }
    this.nextSeq = meta.next_seq
    this.firstSeq = meta.next_seq
    this.keySeed = meta.key_seed
    this.storeHasRows = db.prepare('SELECT EXISTS (SELECT 1 FROM vehicle_rows)').pluck().get() === 1
    this.insertReject = db.prepare('INSERT INTO rejected_rows (run_id, source, line, kind, fields, reasons) VALUES (?, ?, ?, ?, ?, ?)')
    this.insertDuplicate = db.prepare(
      'INSERT INTO duplicate_rows (run_id, kind, key, source, line, classification, kept, incoming) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
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

  async meta(): Promise<StoreMeta> {
    return readMeta(this.db)
  }

  async fileAlreadyIngested(sha256: string): Promise<boolean> {
    const found = this.db
      .prepare(`SELECT 1 FROM ingest_files f JOIN ingest_runs r ON r.run_id = f.run_id WHERE f.sha256 = ? AND f.error_code IS NULL AND r.status = 'succeeded' LIMIT 1`)
      .get(sha256)
    return found !== undefined
  }

  async stageRows(kind: RowKind, file: number, rows: readonly StagedRow[]): Promise<void> {
    if (this.resolved) throw new Error('stageRows called after resolveStaged')
    this.spill.guard(() => this.stageInto(kind, file, rows))
  }

  private stageInto(kind: RowKind, file: number, rows: readonly StagedRow[]): void {
    const code = ROW_KIND_CODES[kind]
    const size = RECORD_SIZES[code] as number
    const files = new Array<ReturnType<RunSpill['file']> | undefined>(KEY_PARTITIONS)
    for (const { row, line } of rows) {
      if (row.kind !== kind) throw new Error(`a ${row.kind} row staged as ${kind}`)
      const hashLo = keyHashLo(code, rowKey(row), this.keySeed)
      const part = hashLo & (KEY_PARTITIONS - 1)
      const { target, offset } = (files[part] ??= this.spill.file(keyFile(keyIndexPart(code, part)))).reserve(size)
      writeRecord(target, offset, row, this.nextSeq++, file, line, this.keySeed, hashLo)
      this.vehicleSample.add(row.vehicleId)
    }
  }

  async *resolveStaged(chunkSize: number, onStep?: (step: ResolveStep) => void): AsyncIterable<StagedDuplicate[]> {
    if (this.resolved) throw new Error('resolveStaged called twice in one run')
    this.resolved = true
    this.vehicleRanges = new VehicleRanges(this.vehicleSample.boundaries(VEHICLE_PARTITIONS))
    const total = ROW_CODE_KINDS.length * KEY_PARTITIONS
    let done = 0
    let duplicates: StagedDuplicate[] = []
    for (const [code, kind] of ROW_CODE_KINDS.entries()) {
      for (let p = 0; p < KEY_PARTITIONS; p++) {
        onStep?.({ done, total, label: `${kind}s: settling keys` })
        const part = keyIndexPart(code, p)
        const records = this.spill.guard(() => this.spill.take(keyFile(part)))
        done++
        if (records === null) continue
        const settled = this.spill.guard(() => this.settlePartition(kind, part, records))
        const size = RECORD_SIZES[code] as number
        for (const index of settled.duplicates) {
          const offset = index * size
          const first = settled.firstOf[index] as number
          duplicates.push({
            kind,
            key: recordKey(records, offset),
            file: recordFile(records, offset),
            line: recordLine(records, offset),
            incoming: readPlainRow(records, offset),
            kept: settled.storedVersion?.get(first) ?? readPlainRow(records, first * size),
          })
          if (duplicates.length >= chunkSize) {
            yield duplicates
            duplicates = []
          }
        }
      }
    }
    onStep?.({ done: total, total, label: 'duplicates' })
    if (duplicates.length > 0) yield duplicates
  }

  /**
   * One key partition: the first record of each key, unless stored before,
   * goes on to its vehicle partition; every other record is a duplicate of
   * the stored version or of that first record. Returns the duplicates'
   * record indexes, with what names their kept versions.
   */
  private settlePartition(kind: RowKind, part: number, records: Buffer): { duplicates: number[]; firstOf: Int32Array; storedVersion: Map<number, OperationRow> | null } {
    const size = RECORD_SIZES[ROW_KIND_CODES[kind]] as number
    const count = records.length / size
    const firstOfKey = new FirstOfKey(records, size, this.keySeed)
    // For each record, the index of the first record with its key (itself when first).
    const firstOf = new Int32Array(count)
    for (let i = 0; i < count; i++) firstOf[i] = firstOfKey.firstOf(i)
    const storedVersion = this.storeHasRows ? storedVersionsOf(this.db, ROW_KIND_CODES[kind], part, firstOfKey) : null
    const vehicleFiles = new Array<ReturnType<RunSpill['file']> | undefined>(VEHICLE_PARTITIONS)
    const duplicates: number[] = []
    const ranges = this.vehicleRanges as VehicleRanges
    for (let i = 0; i < count; i++) {
      const offset = i * size
      const first = firstOf[i] as number
      if (first === i && storedVersion?.get(first) === undefined) {
        const q = ranges.rangeAt(records, offset + VEHICLE)
        ;(vehicleFiles[q] ??= this.spill.file(vehicleFile(q))).append(records, offset, offset + size)
      } else duplicates.push(i)
    }
    return { duplicates, firstOf, storedVersion }
  }

  async logRejects(rejects: readonly RejectRecord[]): Promise<void> {
    for (const reject of rejects) {
      this.insertReject.run(this.runId, reject.source, reject.line, reject.kind, JSON.stringify(reject.fields), reject.reasons.join(','))
    }
  }

  async logDuplicates(duplicates: readonly DuplicateRecord[]): Promise<void> {
    for (const d of duplicates) {
      // An exact duplicate equals the kept row, which stays stored; a conflict keeps both versions here.
      const both = d.classification === 'conflict'
      this.insertDuplicate.run(this.runId, d.kind, d.key, d.source, d.line, d.classification, both ? JSON.stringify(d.kept) : null, both ? JSON.stringify(d.incoming) : null)
    }
  }

  async beginFile(): Promise<void> {
    this.db.exec('SAVEPOINT ingest_file')
    this.fileMarks = this.spill.mark()
  }

  async commitFile(): Promise<void> {
    this.db.exec('RELEASE ingest_file')
    this.fileMarks = null
  }

  async rollbackFile(): Promise<void> {
    // Undoes the file's staged rows and logged rejects alike.
    this.db.exec('ROLLBACK TO ingest_file; RELEASE ingest_file')
    const marks = this.fileMarks
    if (marks !== null) this.spill.guard(() => this.spill.rollbackTo(marks))
    this.fileMarks = null
  }

  async touchAllVehicles(): Promise<void> {
    this.spill.guard(() => this.touchAll())
  }

  private touchAll(): void {
    const size = RECORD_SIZES[TOUCH_MARK] as number
    if (this.vehicleSample.size === 0) {
      // No row was staged: cut the stored vehicles into equal ranges.
      const count = this.db.prepare('SELECT count(DISTINCT vehicle_id) FROM vehicle_rows').pluck().get() as number
      const every = Math.max(1, Math.ceil(count / VEHICLE_PARTITIONS))
      const cuts: string[] = []
      let n = 0
      for (const vehicleId of this.db.prepare('SELECT DISTINCT vehicle_id FROM vehicle_rows ORDER BY vehicle_id').pluck().iterate() as Iterable<string>) {
        if (n > 0 && n % every === 0) cuts.push(vehicleId)
        n++
      }
      this.vehicleRanges = new VehicleRanges(cuts)
    }
    const ranges = this.vehicleRanges ?? new VehicleRanges([])
    for (const vehicleId of this.db.prepare('SELECT DISTINCT vehicle_id FROM vehicle_rows').pluck().iterate() as Iterable<string>) {
      const { target, offset } = this.spill.file(vehicleFile(ranges.rangeOf(vehicleId))).reserve(size)
      writeTouchMark(target, offset, vehicleId)
    }
    this.touchedCount = null
  }

  async countTouchedVehicles(): Promise<number> {
    if (this.touchedCount !== null) return this.touchedCount
    let count = 0
    for (let q = 0; q < VEHICLE_PARTITIONS; q++) {
      const records = this.spill.guard(() => this.spill.peek(vehicleFile(q)))
      if (records === null) continue
      count += countDistinctVehicles(records)
    }
    this.touchedCount = count
    return count
  }

  /**
   * The touched vehicles in id order, one vehicle range at a time: each
   * vehicle's stored blobs, then this run's rows, as row records. Stores each
   * vehicle's new rows as it goes: one blob per vehicle per run, keys into
   * the key index.
   */
  async *touchedVehicles(chunkSize: number): AsyncIterable<VehicleRecordsChunk> {
    if (this.stored) throw new Error('touchedVehicles called twice in one run')
    this.stored = true
    const index = new KeyIndexWriter(this.db)
    const chunk = new ChunkBuilder()
    for (let q = 0; q < VEHICLE_PARTITIONS; q++) {
      const records = this.spill.guard(() => this.spill.take(vehicleFile(q)))
      if (records === null) continue
      // Grouped in ingest order, each vehicle's new records come in order; a touch mark only names its vehicle.
      const byVehicle = new Map<string, number[]>()
      for (const offset of rangeInSeqOrder(records, this.firstSeq)) {
        const vehicleId = recordVehicle(records, offset)
        let offsets = byVehicle.get(vehicleId)
        if (offsets === undefined) byVehicle.set(vehicleId, (offsets = []))
        if (recordKindCode(records, offset) !== TOUCH_MARK) offsets.push(offset)
      }
      for (const vehicleId of [...byVehicle.keys()].sort()) {
        this.storeVehicle(vehicleId, records, byVehicle.get(vehicleId) as number[], index, chunk)
        if (chunk.vehicles >= chunkSize) {
          yield chunk.take()
        }
      }
    }
    index.flush()
    if (chunk.vehicles > 0) yield chunk.take()
  }

  /**
   * Adds a vehicle's records to `chunk`: its stored blobs, then this run's
   * records (`fresh`, offsets in ingest order), which it stores as one blob.
   */
  private storeVehicle(vehicleId: string, records: Buffer, fresh: number[], index: KeyIndexWriter, chunk: ChunkBuilder): void {
    if (this.storeHasRows) {
      for (const blob of this.blobsOfVehicle.iterate(vehicleId) as Iterable<Buffer>) chunk.append(blob)
    }
    if (fresh.length > 0) {
      let bytes = 0
      for (const offset of fresh) bytes += ROW_RECORD_SIZES[recordKindCode(records, offset)] as number
      const { target, offset: start } = chunk.reserve(bytes)
      let at = start
      for (const offset of fresh) at += writeStoredRecord(records, offset, target, at)
      const blobId = Number(this.insertBlob.run(vehicleId, this.runSeq, target.subarray(start, at)).lastInsertRowid)
      for (const offset of fresh) index.add(records, offset, blobId)
    }
    chunk.endVehicle(vehicleId)
  }

  async saveViews(views: readonly VehicleView[]): Promise<void> {
    for (const view of views) {
      const open = view.openCycle
      this.upsertView.run(view.vehicleId, view.qrCode, view.template, open?.startedAt ?? null, open?.rideTimeS ?? null, open?.revenueCents ?? null, view.contentHash)
      // In a store without rows no vehicle has claims yet.
      if (this.storeHasRows) this.deleteClaims.run(view.vehicleId)
      for (const claim of view.qrClaims) this.insertClaim.run(view.vehicleId, claim.qrCode, claim.recency)
    }
  }

  async commit(report: IngestReport, meta: StoreMeta): Promise<void> {
    // Rows are stored as the refresh reads them; a caller that skipped it still stores them.
    if (!this.stored) for await (const _chunk of this.touchedVehicles(1000)) void _chunk
    this.finish(() => {
      recordRun(this.db, report, this.runSeq)
      this.db.prepare('UPDATE store_meta SET as_of = ?, data_version = ?, policy = ?, next_seq = ? WHERE id = 1').run(meta.asOf, meta.dataVersion, meta.policy, this.nextSeq)
      this.db.exec('COMMIT')
    })
  }

  async rollback(report: IngestReport): Promise<void> {
    this.finish(() => {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      // The failed run is recorded after the rollback, in its own small transaction.
      this.db.transaction(() => recordRun(this.db, report, nextRunSeq(this.db)))()
    })
  }

  private finish(work: () => void): void {
    if (this.finished) return
    this.finished = true
    try {
      work()
    } finally {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      this.spill.remove()
      this.release()
    }
  }
}
