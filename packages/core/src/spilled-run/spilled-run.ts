import { VehiclePerfError } from '../errors.js'
import type { IngestReport } from '../ingest/ingest-report.js'
import type { VehicleHistory } from '../response/vehicle-events.js'
import type { VehicleView } from '../response/vehicle-response.js'
import { ROW_KINDS, type RowKind } from '../rows/kinds.js'
import { PACKED_ROW_KIND_CODES, packedRowSize, type PackedVehicles } from '../rows/packed-rows.js'
import { rowKey, type StoredRow } from '../rows/row-types.js'
import { unpackVehicles } from '../response/render-vehicles.js'
import type {
  DuplicateRecord,
  KeySettlement,
  RefreshSession,
  RejectRecord,
  StagedBatch,
  StagedDuplicate,
  StagingSession,
  StoreMeta,
} from '../storage/storage-contract.js'
import { ChunkBuilder } from './chunk-builder.js'
import { countDistinctVehicles, groupByVehicle } from './distinct-vehicles.js'
import { LoopTurns } from './loop-turns.js'
import { FirstOfKey } from './first-of-key.js'
import { KEY_PARTITIONS, keyFile, keyPartOf, RunSpill, VEHICLE_PARTITIONS, vehicleFile } from './run-spill.js'
import {
  keyHashLo,
  RECORD_SIZES,
  readRecord,
  recordFile,
  recordKey,
  recordKindCode,
  recordLine,
  recordVehicle,
  TOUCH_MARK,
  VEHICLE,
  writeRecord,
  writeStoredRecord,
  writeTouchMark,
} from './spill-records.js'
import { VehicleRanges, VehicleSample } from './vehicle-ranges.js'

/**
 * What a store does for a spilled run: keep what it is given, find what it
 * has. The run settles keys and orders rows itself, in temp files, with
 * memory bounded by a partition, so a backend needs no sort, no join and no
 * per-row lookup of its own.
 */
export interface SpilledRunBackend {
  /** The store's name, for errors. */
  readonly store: string
  readonly runId: string
  readonly startedAt: Date
  /** False when the store has no row yet: the run then asks for no stored version and no stored row. */
  readonly hasStoredRows: boolean
  meta(): Promise<StoreMeta>
  fileAlreadyIngested(sha256: string): Promise<boolean>
  /** A savepoint around the file's logged rejects (the run cuts its own temp files back). */
  beginFile(): Promise<void>
  commitFile(): Promise<void>
  rollbackFile(): Promise<void>
  logRejects(rejects: readonly RejectRecord[]): Promise<void>
  logDuplicates(duplicates: readonly DuplicateRecord[]): Promise<void>
  /**
   * The stored row of every key in `keys` that the store has (one key
   * partition of one kind), by the index `keys.find` gives for it. A store
   * may look the keys up by text (`keys.keys()`) or by their hashes
   * (`keys.hasHash`, for a key index of its own built from FreshRows).
   */
  storedVersions(kind: RowKind, part: number, keys: FirstOfKey): Promise<Map<number, StoredRow>>
  /** Every vehicle with stored rows (a run that re-renders every vehicle). */
  storedVehicleIds(): AsyncIterable<string>
  /** The stored rows of these vehicles as packed rows, each vehicle's buffers in seq order; a vehicle without rows may be absent. */
  storedRowsOf(vehicleIds: readonly string[]): Promise<Map<string, readonly Buffer[]>>
  /** Keeps one vehicle's new rows (in seq order); may buffer until `rowsStored`. */
  storeRows(vehicleId: string, rows: FreshRows): Promise<void> | void
  /** Called once after the last vehicle: write what storeRows buffered. */
  rowsStored(): Promise<void>
  saveViews(views: readonly VehicleView[]): Promise<void>
  /** Writes the run record and the meta, commits, releases the lock. */
  commit(report: IngestReport, meta: StoreMeta): Promise<void>
  /** Rolls the run back, records it as failed, releases the lock. */
  rollback(report: IngestReport): Promise<void>
}

/** One vehicle's new rows: spilled records (with their key hashes) and the same rows packed back to back. */
export interface FreshRows {
  /** The vehicle partition's spilled records and the offsets of this vehicle's, in seq order: valid during the call. */
  records: Buffer
  offsets: Uint32Array
  /** The rows as core's packed rows, in seq order: a view of the refresh chunk, valid during the call. */
  packed: Buffer
}

export interface SpilledRunOptions {
  /** Where the run's temp folder goes (about the run's CSV size at peak). Default: the OS temp folder. */
  tempDir?: string
  /**
   * Seed of the key hashes that cut the run into partitions. A store that
   * keeps a key index by these hashes (FreshRows' records carry them) passes
   * its own, stable seed; any other store a fresh random one per run.
   */
  keySeed: number
}

const VEHICLE_FILES: readonly string[] = Array.from({ length: VEHICLE_PARTITIONS }, (_, q) => vehicleFile(q))
const STORED_SIZES: readonly number[] = ROW_KINDS.map((kind) => packedRowSize(kind))

/**
 * A StagingSession over a backend that only stores: rows are spilled to temp
 * files by key partition as they are staged, keys are settled one partition
 * at a time (the first record of a key wins unless the store has it), the
 * winners go on to temp files by vehicle range, and the refresh reads one
 * vehicle range at a time, in vehicle id order, handing each vehicle's
 * stored rows and new rows to core as packed rows while the backend keeps
 * the new ones. adapter-sqlite and adapter-postgres run on it.
 */
export function createSpilledRun(backend: SpilledRunBackend, options: SpilledRunOptions): Promise<StagingSession> {
  return backend.meta().then((meta) => new SpilledStaging(backend, new RunSpill(options.tempDir, backend.store), options.keySeed, meta.nextSeq))
}

function runError(backend: SpilledRunBackend, message: string): VehiclePerfError {
  return new VehiclePerfError('internal', message, { store: backend.store })
}

class SpilledStaging implements StagingSession {
  private fileMarks: Map<string, number> | null = null
  private readonly vehicleSample = new VehicleSample()
  private ended = false

  constructor(
    private readonly backend: SpilledRunBackend,
    private readonly spill: RunSpill,
    private readonly keySeed: number,
    /** The run's first seq: a run's seqs are consecutive from it. */
    private readonly firstSeq: number,
  ) {}

  get runId(): string {
    return this.backend.runId
  }

  get startedAt(): Date {
    return this.backend.startedAt
  }

  meta(): Promise<StoreMeta> {
    return this.backend.meta()
  }

  fileAlreadyIngested(sha256: string): Promise<boolean> {
    return this.backend.fileAlreadyIngested(sha256)
  }

  async stageRows(batch: StagedBatch): Promise<void> {
    this.assertStaging()
    const { spill, keySeed } = this
    if (batch.firstSeq < this.firstSeq) throw runError(this.backend, `a batch staged with seq ${batch.firstSeq}, before the run's first (${this.firstSeq})`)
    spill.guard(() => {
      const code = PACKED_ROW_KIND_CODES[batch.kind]
      const size = RECORD_SIZES[code] as number
      const files = new Array<ReturnType<typeof spill.file> | undefined>(KEY_PARTITIONS)
      let seq = batch.firstSeq
      for (const { row, line } of batch.rows) {
        if (row.kind !== batch.kind) throw runError(this.backend, `a ${row.kind} row staged as ${batch.kind}`)
        const hashLo = keyHashLo(code, rowKey(row), keySeed)
        const part = hashLo & (KEY_PARTITIONS - 1)
        const { target, offset } = (files[part] ??= spill.file(keyFile(keyPartOf(code, part)))).reserve(size)
        writeRecord(target, offset, row, seq++, batch.file, line, keySeed, hashLo)
        this.vehicleSample.add(row.vehicleId)
      }
    })
  }

  async logRejects(rejects: readonly RejectRecord[]): Promise<void> {
    this.assertStaging()
    await this.backend.logRejects(rejects)
  }

  async beginFile(): Promise<void> {
    await this.backend.beginFile()
    this.fileMarks = this.spill.mark()
  }

  async commitFile(): Promise<void> {
    await this.backend.commitFile()
    this.fileMarks = null
  }

  async rollbackFile(): Promise<void> {
    // Undoes the file's staged rows and logged rejects alike.
    await this.backend.rollbackFile()
    const marks = this.fileMarks
    if (marks !== null) this.spill.guard(() => this.spill.rollbackTo(marks))
    this.fileMarks = null
  }

  async settleKeys(settlement: KeySettlement): Promise<RefreshSession> {
    this.assertStaging()
    this.ended = true
    const { spill, backend } = this
    const ranges = new VehicleRanges(this.vehicleSample.boundaries(VEHICLE_PARTITIONS))
    const total = ROW_KINDS.length * KEY_PARTITIONS
    let done = 0
    let pending: StagedDuplicate[] = []
    const flush = async (): Promise<void> => {
      if (pending.length > 0) await backend.logDuplicates(settlement.onDuplicates(pending))
      pending = []
    }
    const parts = ROW_KINDS.flatMap((_kind, code) => Array.from({ length: KEY_PARTITIONS }, (_, p) => keyPartOf(code, p)))
    for await (const records of spill.readAll(parts.map(keyFile), true)) {
      const part = parts[done] as number
      const code = Math.floor(part / KEY_PARTITIONS)
      const kind = ROW_KINDS[code] as RowKind
      settlement.onStep?.({ done, total, label: `${kind}s: settling keys` })
      done++
      if (records !== null) {
        const size = RECORD_SIZES[code] as number
        const count = records.length / size
        const firstOfKey = new FirstOfKey(records, size, this.keySeed)
        // For each record, the index of the first record with its key (itself when first).
        const firstOf = new Int32Array(count)
        for (let i = 0; i < count; i++) firstOf[i] = firstOfKey.firstOf(i)
        const storedVersion = backend.hasStoredRows ? await backend.storedVersions(kind, part, firstOfKey) : null
        const duplicates = spill.guard(() => routeFirsts(spill, records, size, firstOf, storedVersion, ranges))
        for (const index of duplicates) {
          const offset = index * size
          const first = firstOf[index] as number
          pending.push({
            kind,
            key: recordKey(records, offset),
            file: recordFile(records, offset),
            line: recordLine(records, offset),
            incoming: readRecord(records, offset),
            kept: storedVersion?.get(first) ?? readRecord(records, first * size),
          })
          if (pending.length >= settlement.chunkSize) await flush()
        }
      }
    }
    await flush()
    settlement.onStep?.({ done: total, total, label: 'duplicates' })
    if (settlement.everyVehicle) await this.touchAll(ranges)
    let vehicleCount = 0
    for await (const records of spill.readAll(VEHICLE_FILES, false)) if (records !== null) vehicleCount += countDistinctVehicles(records, this.keySeed)
    return new SpilledRefresh(backend, spill, vehicleCount, this.firstSeq, this.keySeed)
  }

  async rollback(report: IngestReport): Promise<void> {
    this.ended = true
    try {
      await this.backend.rollback(report)
    } finally {
      this.spill.remove()
    }
  }

  private assertStaging(): void {
    if (this.ended) throw runError(this.backend, 'this run has left its staging phase')
  }

  /**
   * Marks every stored vehicle for the refresh (a policy change renders all
   * views again). In a run that staged no row, the stored vehicles are cut
   * into equal ranges instead of the sample's.
   */
  private async touchAll(ranges: VehicleRanges): Promise<void> {
    const { spill, backend } = this
    const size = RECORD_SIZES[TOUCH_MARK] as number
    let touchRanges = ranges
    if (this.vehicleSample.size === 0) {
      const sample = new VehicleSample()
      for await (const vehicleId of backend.storedVehicleIds()) sample.add(vehicleId)
      touchRanges = new VehicleRanges(sample.boundaries(VEHICLE_PARTITIONS))
    }
    for await (const vehicleId of backend.storedVehicleIds()) {
      spill.guard(() => {
        const { target, offset } = spill.file(vehicleFile(touchRanges.rangeOf(vehicleId))).reserve(size)
        writeTouchMark(target, offset, vehicleId)
      })
    }
  }
}

/**
 * Routes the first record of each key, unless stored before, to its vehicle
 * range; returns the indexes of every other record: the duplicates.
 */
function routeFirsts(spill: RunSpill, records: Buffer, size: number, firstOf: Int32Array, storedVersion: Map<number, StoredRow> | null, ranges: VehicleRanges): number[] {
  const vehicleFiles = new Array<ReturnType<RunSpill['file']> | undefined>(VEHICLE_PARTITIONS)
  const duplicates: number[] = []
  for (let i = 0; i < firstOf.length; i++) {
    const offset = i * size
    if (firstOf[i] === i && storedVersion?.get(i) === undefined) {
      const q = ranges.rangeAt(records, offset + VEHICLE)
      ;(vehicleFiles[q] ??= spill.file(vehicleFile(q))).append(records, offset, offset + size)
    } else duplicates.push(i)
  }
  return duplicates
}

class SpilledRefresh implements RefreshSession {
  private read = false
  private ended = false
  private commitFailed = false

  constructor(
    private readonly backend: SpilledRunBackend,
    private readonly spill: RunSpill,
    readonly vehicleCount: number,
    private readonly firstSeq: number,
    private readonly keySeed: number,
  ) {}

  get runId(): string {
    return this.backend.runId
  }

  /**
   * The vehicles to refresh in id order, one vehicle range at a time: each
   * vehicle's stored rows, then this run's, as packed rows. The backend keeps
   * each vehicle's new rows as they go by.
   */
  async *packedVehicles(chunkSize: number): AsyncIterable<PackedVehicles> {
    if (this.read) throw runError(this.backend, 'the refresh read its vehicles twice')
    this.read = true
    const { spill, backend } = this
    const chunk = new ChunkBuilder()
    const turns = new LoopTurns()
    for await (const records of spill.readAll(VEHICLE_FILES, true)) {
      await turns.take()
      if (records === null) continue
      const { vehicleIds, offsets, starts } = groupByVehicle(records, this.firstSeq, this.keySeed)
      for (let from = 0; from < vehicleIds.length; ) {
        const batch = vehicleIds.slice(from, from + chunkSize - chunk.vehicles)
        const stored = backend.hasStoredRows ? await backend.storedRowsOf(batch) : null
        for (const [i, vehicleId] of batch.entries()) {
          if (turns.due()) await turns.take()
          for (const buffer of stored?.get(vehicleId) ?? []) chunk.append(buffer)
          const fresh = offsets.subarray(starts[from + i], starts[from + i + 1])
          if (fresh.length > 0) {
            let bytes = 0
            for (const offset of fresh) bytes += STORED_SIZES[recordKindCode(records, offset)] as number
            const { target, offset: start } = chunk.reserve(bytes)
            let at = start
            for (const offset of fresh) at += writeStoredRecord(records, offset, target, at)
            const storing = backend.storeRows(vehicleId, { records, offsets: fresh, packed: target.subarray(start, at) })
            if (storing !== undefined) await storing
          }
          chunk.endVehicle(vehicleId)
        }
        from += batch.length
        if (chunk.vehicles >= chunkSize) yield chunk.take()
      }
    }
    await backend.rowsStored()
    if (chunk.vehicles > 0) yield chunk.take()
  }

  async *vehicles(chunkSize: number): AsyncIterable<readonly VehicleHistory[]> {
    for await (const packed of this.packedVehicles(chunkSize)) yield unpackVehicles(packed)
  }

  saveViews(views: readonly VehicleView[]): Promise<void> {
    return this.backend.saveViews(views)
  }

  async commit(report: IngestReport, meta: StoreMeta): Promise<void> {
    if (this.ended) throw runError(this.backend, 'this run has ended')
    // Rows are stored as the refresh reads them; a caller that skipped it still stores them.
    if (!this.read) for await (const _chunk of this.packedVehicles(1000)) void _chunk
    this.ended = true
    try {
      await this.backend.commit(report, meta)
    } catch (error) {
      // A failed commit leaves the run to rollback(), which records it as failed.
      this.commitFailed = true
      throw error
    }
    this.spill.remove()
  }

  async rollback(report: IngestReport): Promise<void> {
    if (this.ended && !this.commitFailed) return
    this.ended = true
    this.commitFailed = false
    try {
      await this.backend.rollback(report)
    } finally {
      this.spill.remove()
    }
  }
}
