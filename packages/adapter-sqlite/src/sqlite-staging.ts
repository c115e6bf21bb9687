import type Database from 'better-sqlite3'
import type {
  DuplicateRecord,
  IngestReport,
  KeySettlement,
  RefreshSession,
  RejectRecord,
  RowKind,
  StagedBatch,
  StagedDuplicate,
  StagingSession,
  StoredRow,
  StoreMeta,
} from '@vehicle-perf/core'
import { ROW_KINDS, rowKey } from '@vehicle-perf/core'
import { PACKED_ROW_KIND_CODES } from '@vehicle-perf/core/packed-rows'
import { keyHashLo, RECORD_SIZES, readRecord, recordFile, recordKey, recordLine, VEHICLE, writeRecord, writeTouchMark, TOUCH_MARK } from './spill-records.js'
import { KEY_PARTITIONS, keyFile, VEHICLE_PARTITIONS, vehicleFile } from './run-spill.js'
import { keyIndexPart, storedVersionsOf } from './key-index.js'
import { VehicleRanges, VehicleSample } from './vehicle-ranges.js'
import { FirstOfKey } from './first-of-key.js'
import { countDistinctVehicles } from './distinct-vehicles.js'
import { readMeta } from './sqlite-runs.js'
import type { SqliteRun } from './sqlite-run.js'
import { SqliteRefresh } from './sqlite-refresh.js'
import { sqliteError } from './sqlite-errors.js'

type Statement = Database.Statement<unknown[], unknown>

/**
 * Phase 1 of a run on SQLite: rows never go through SQLite one by one.
 *
 * - stageRows packs each row into a fixed-size record appended to a temp
 *   file of its key partition (kind, key hash);
 * - settleKeys reads one key partition at a time: the first record of a key
 *   wins unless the store's key index (hashes, each pointing at the vehicle
 *   blob that holds the key) has it, checked against the blob itself;
 *   winners go on to a temp file of their vehicle partition, every other
 *   record goes back to core with the kept version.
 *
 * Memory is bounded by a partition, not by the run; temp disk holds the
 * run's rows about once. A savepoint per file covers its logged rejects, and
 * the temp files are cut back to the file's start on rollbackFile.
 */
export class SqliteStaging implements StagingSession {
  private readonly insertReject: Statement
  private readonly insertDuplicate: Statement
  private fileMarks: Map<string, number> | null = null
  private readonly vehicleSample = new VehicleSample()
  private ended = false

  constructor(private readonly run: SqliteRun) {
    const { db } = run
    this.insertReject = db.prepare('INSERT INTO rejected_rows (run_id, source, line, kind, fields, reasons) VALUES (?, ?, ?, ?, ?, ?)')
    this.insertDuplicate = db.prepare('INSERT INTO duplicate_rows (run_id, kind, key, source, line, classification, kept, incoming) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  }

  get runId(): string {
    return this.run.runId
  }

  get startedAt(): Date {
    return this.run.startedAt
  }

  async meta(): Promise<StoreMeta> {
    return readMeta(this.run.db)
  }

  async fileAlreadyIngested(sha256: string): Promise<boolean> {
    const found = this.run.db
      .prepare(`SELECT 1 FROM ingest_files f JOIN ingest_runs r ON r.run_id = f.run_id WHERE f.sha256 = ? AND f.error_code IS NULL AND r.status = 'succeeded' LIMIT 1`)
      .get(sha256)
    return found !== undefined
  }

  async stageRows(batch: StagedBatch): Promise<void> {
    this.assertStaging()
    const { spill, keySeed, startMeta } = this.run
    if (batch.firstSeq < startMeta.nextSeq) throw sqliteError('internal', `a batch staged with seq ${batch.firstSeq}, before the run's first (${startMeta.nextSeq})`)
    spill.guard(() => {
      const code = PACKED_ROW_KIND_CODES[batch.kind]
      const size = RECORD_SIZES[code] as number
      const files = new Array<ReturnType<typeof spill.file> | undefined>(KEY_PARTITIONS)
      let seq = batch.firstSeq
      for (const { row, line } of batch.rows) {
        if (row.kind !== batch.kind) throw sqliteError('internal', `a ${row.kind} row staged as ${batch.kind}`)
        const hashLo = keyHashLo(code, rowKey(row), keySeed)
        const part = hashLo & (KEY_PARTITIONS - 1)
        const { target, offset } = (files[part] ??= spill.file(keyFile(keyIndexPart(code, part)))).reserve(size)
        writeRecord(target, offset, row, seq++, batch.file, line, keySeed, hashLo)
        this.vehicleSample.add(row.vehicleId)
      }
    })
  }

  async logRejects(rejects: readonly RejectRecord[]): Promise<void> {
    this.assertStaging()
    for (const reject of rejects) {
      this.insertReject.run(this.run.runId, reject.source, reject.line, reject.kind, JSON.stringify(reject.fields), reject.reasons.join(','))
    }
  }

  async beginFile(): Promise<void> {
    this.run.db.exec('SAVEPOINT ingest_file')
    this.fileMarks = this.run.spill.mark()
  }

  async commitFile(): Promise<void> {
    this.run.db.exec('RELEASE ingest_file')
    this.fileMarks = null
  }

  async rollbackFile(): Promise<void> {
    // Undoes the file's staged rows and logged rejects alike.
    this.run.db.exec('ROLLBACK TO ingest_file; RELEASE ingest_file')
    const marks = this.fileMarks
    if (marks !== null) this.run.spill.guard(() => this.run.spill.rollbackTo(marks))
    this.fileMarks = null
  }

  async settleKeys(settlement: KeySettlement): Promise<RefreshSession> {
    this.assertStaging()
    this.ended = true
    const { spill } = this.run
    const ranges = new VehicleRanges(this.vehicleSample.boundaries(VEHICLE_PARTITIONS))
    const total = ROW_KINDS.length * KEY_PARTITIONS
    let done = 0
    let pending: StagedDuplicate[] = []
    const flush = (): void => {
      if (pending.length > 0) this.logDuplicates(settlement.onDuplicates(pending))
      pending = []
    }
    for (const [code, kind] of ROW_KINDS.entries()) {
      for (let p = 0; p < KEY_PARTITIONS; p++) {
        settlement.onStep?.({ done, total, label: `${kind}s: settling keys` })
        const part = keyIndexPart(code, p)
        const records = spill.guard(() => spill.take(keyFile(part)))
        done++
        if (records === null) continue
        const settled = spill.guard(() => this.settlePartition(kind, part, records, ranges))
        const size = RECORD_SIZES[code] as number
        for (const index of settled.duplicates) {
          const offset = index * size
          const first = settled.firstOf[index] as number
          pending.push({
            kind,
            key: recordKey(records, offset),
            file: recordFile(records, offset),
            line: recordLine(records, offset),
            incoming: readRecord(records, offset),
            kept: settled.storedVersion?.get(first) ?? readRecord(records, first * size),
          })
          if (pending.length >= settlement.chunkSize) flush()
        }
      }
    }
    flush()
    settlement.onStep?.({ done: total, total, label: 'duplicates' })
    if (settlement.everyVehicle) this.touchAll(ranges)
    let vehicleCount = 0
    for (let q = 0; q < VEHICLE_PARTITIONS; q++) {
      const records = spill.guard(() => spill.peek(vehicleFile(q)))
      if (records !== null) vehicleCount += countDistinctVehicles(records)
    }
    return new SqliteRefresh(this.run, vehicleCount)
  }

  async rollback(report: IngestReport): Promise<void> {
    this.ended = true
    this.run.rollback(report)
  }

  private assertStaging(): void {
    if (this.ended) throw sqliteError('internal', 'this run has left its staging phase')
  }

  /**
   * One key partition: the first record of each key, unless stored before,
   * goes on to its vehicle partition; every other record is a duplicate of
   * the stored version or of that first record. Returns the duplicates'
   * record indexes, with what names their kept versions.
   */
  private settlePartition(kind: RowKind, part: number, records: Buffer, ranges: VehicleRanges): { duplicates: number[]; firstOf: Int32Array; storedVersion: Map<number, StoredRow> | null } {
    const { db, spill, keySeed, storeHasRows } = this.run
    const code = PACKED_ROW_KIND_CODES[kind]
    const size = RECORD_SIZES[code] as number
    const count = records.length / size
    const firstOfKey = new FirstOfKey(records, size, keySeed)
    // For each record, the index of the first record with its key (itself when first).
    const firstOf = new Int32Array(count)
    for (let i = 0; i < count; i++) firstOf[i] = firstOfKey.firstOf(i)
    const storedVersion = storeHasRows ? storedVersionsOf(db, code, part, firstOfKey) : null
    const vehicleFiles = new Array<ReturnType<typeof spill.file> | undefined>(VEHICLE_PARTITIONS)
    const duplicates: number[] = []
    for (let i = 0; i < count; i++) {
      const offset = i * size
      const first = firstOf[i] as number
      if (first === i && storedVersion?.get(first) === undefined) {
        const q = ranges.rangeAt(records, offset + VEHICLE)
        ;(vehicleFiles[q] ??= spill.file(vehicleFile(q))).append(records, offset, offset + size)
      } else duplicates.push(i)
    }
    return { duplicates, firstOf, storedVersion }
  }

  private logDuplicates(duplicates: readonly DuplicateRecord[]): void {
    for (const d of duplicates) {
      // An exact duplicate equals the kept row, which stays stored; a conflict keeps both versions here.
      const both = d.classification === 'conflict'
      this.insertDuplicate.run(this.run.runId, d.kind, d.key, d.source, d.line, d.classification, both ? JSON.stringify(d.kept) : null, both ? JSON.stringify(d.incoming) : null)
    }
  }

  /**
   * Marks every stored vehicle for the refresh (a policy change re-renders
   * all views). In a run that staged no row, the stored vehicles are cut
   * into equal ranges instead of the sample's.
   */
  private touchAll(ranges: VehicleRanges): void {
    const { db, spill } = this.run
    const size = RECORD_SIZES[TOUCH_MARK] as number
    let touchRanges = ranges
    if (this.vehicleSample.size === 0) {
      const count = db.prepare('SELECT count(DISTINCT vehicle_id) FROM vehicle_rows').pluck().get() as number
      const every = Math.max(1, Math.ceil(count / VEHICLE_PARTITIONS))
      const cuts: string[] = []
      let n = 0
      for (const vehicleId of db.prepare('SELECT DISTINCT vehicle_id FROM vehicle_rows ORDER BY vehicle_id').pluck().iterate() as Iterable<string>) {
        if (n > 0 && n % every === 0) cuts.push(vehicleId)
        n++
      }
      touchRanges = new VehicleRanges(cuts)
    }
    spill.guard(() => {
      for (const vehicleId of db.prepare('SELECT DISTINCT vehicle_id FROM vehicle_rows').pluck().iterate() as Iterable<string>) {
        const { target, offset } = spill.file(vehicleFile(touchRanges.rangeOf(vehicleId))).reserve(size)
        writeTouchMark(target, offset, vehicleId)
      }
    })
  }
}
