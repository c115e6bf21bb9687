import type { VehicleKey } from '../values/ids.js'
import type { RowKind } from '../rows/kinds.js'
import type { OperationRow } from '../rows/row-types.js'
import type { RejectReason } from '../rows/reject-reasons.js'
import type { DuplicateClass } from '../rows/deduplicate.js'
import type { VehicleRecordsChunk } from '../response/render-chunk.js'
import type { OpenCycle, VehicleView } from '../response/vehicle-response.js'
import type { SelectionPolicy } from '../response/response-schema.js'
import type { IngestReport } from '../ingest/ingest-report.js'

/**
 * What an adapter stores. Every rule lives in core: adapters insert rows,
 * report keys that already exist, keep logs and documents, and hold locks.
 * They never classify, order by domain rules, or compute a metric.
 */
export interface StorageAdapter {
  /** Short name used in error messages: `[vehicle-perf] [sqlite] ...`. */
  readonly name: string
  /** Creates or upgrades the schema. Safe to call any number of times. */
  migrate(): Promise<void>
  /**
   * Takes the ingest lock (waiting up to the adapter's lock timeout, then
   * failing with code `store_busy`) and opens the run's transaction: nothing
   * written through the session is visible to readers before `commit`.
   */
  beginIngest(run: { runId: string; startedAt: Date }): Promise<IngestSession>
  /** One indexed read of the stored view for a vehicle id or an (upper-case) QR code. */
  lookup(key: VehicleKey): Promise<StoredView | null>
  meta(): Promise<StoreMeta>
  /**
   * Every key `lookup` finds (each vehicle id with a view, each QR code with a
   * claim), `chunkSize` at a time, with the data version they were read at:
   * a server builds a filter of known keys from them to answer unknown ones
   * without a store read. The version is the same for every chunk, or the
   * listing is not consistent and the caller must start again.
   */
  listKeys(chunkSize: number): AsyncIterable<{ dataVersion: number; keys: VehicleKey[] }>
  stats(): Promise<StoreStats>
  close(): Promise<void>
}

/** A valid row of a file, with its line (the parser's rows are passed as they are). */
export interface StagedRow {
  row: OperationRow
  line: number
}

/**
 * A staged row whose key was taken when the run's rows were resolved: by a
 * row stored in an earlier run, or by the first staged row with that key.
 */
export interface StagedDuplicate {
  kind: RowKind
  key: string
  file: number
  line: number
  incoming: OperationRow
  /** The version that is stored (core classifies the pair). */
  kept: OperationRow
}

export interface RejectRecord {
  source: string
  line: number
  kind: RowKind
  fields: string[]
  reasons: RejectReason[]
}

export interface DuplicateRecord {
  kind: RowKind
  key: string
  source: string
  line: number
  classification: DuplicateClass
  /** The version that won (first accepted). */
  kept: OperationRow
  /** The version that came later; for `exact` it equals `kept` after normalisation. */
  incoming: OperationRow
}

/** Where resolveStaged is, for a progress bar: about to start step `done + 1` of `total`. */
export interface ResolveStep {
  done: number
  total: number
  /** What the next step does, for people: "rides: settling keys". */
  label: string
}

export interface IngestSession {
  readonly runId: string
  readonly startedAt: Date
  /** The store's meta as this transaction sees it. */
  meta(): Promise<StoreMeta>
  /**
   * Appends valid rows of the run's `file`-th file (0-based) to the run's
   * staging area, in read order, and nothing else: keys are resolved once
   * per run (a sort, not a probe per row).
   */
  stageRows(kind: RowKind, file: number, rows: readonly StagedRow[]): Promise<void>
  /**
   * Ends staging. Keeps, for every key, the first staged row unless the key
   * was stored before, and marks their vehicles touched (the kept rows are
   * stored by the end of touchedVehicles, or at commit); yields every other
   * staged row with the stored version of its key, `chunkSize` at a time, in
   * no set order (core counts each in its own file). Call once, after the
   * last file. `onStep` is
   * called before each of its long steps (a large run spends minutes here)
   * and once at the end with `done === total`.
   */
  resolveStaged(chunkSize: number, onStep?: (step: ResolveStep) => void): AsyncIterable<StagedDuplicate[]>
  logRejects(rejects: readonly RejectRecord[]): Promise<void>
  logDuplicates(duplicates: readonly DuplicateRecord[]): Promise<void>
  /** A file is all or nothing: rows of a file that fails half-way are rolled back. */
  beginFile(): Promise<void>
  commitFile(): Promise<void>
  rollbackFile(): Promise<void>
  /** True when a run that succeeded already ingested a file with these bytes. */
  fileAlreadyIngested(sha256: string): Promise<boolean>
  /** Marks every known vehicle touched (a policy change re-renders all views). */
  touchAllVehicles(): Promise<void>
  /**
   * The touched vehicles with all their rows, `chunkSize` vehicles at a time:
   * each vehicle's rows as row records (core's rows/row-records.ts: what a
   * store keeps, bytes that cross threads as they are), stored ones then this
   * run's, in ingest order, with their global ingest sequence. A yielded
   * chunk is the caller's: the session never touches its buffer again (core
   * hands it to a render thread).
   */
  touchedVehicles(chunkSize: number): AsyncIterable<VehicleRecordsChunk>
  /** How many vehicles touchedVehicles will yield: the refresh's progress total. */
  countTouchedVehicles(): Promise<number>
  saveViews(views: readonly VehicleView[]): Promise<void>
  /** Writes the run record and the new meta, commits, releases the lock. */
  commit(report: IngestReport, meta: StoreMeta): Promise<void>
  /** Discards everything the session wrote, records the failed run, releases the lock. */
  rollback(report: IngestReport): Promise<void>
}

export interface StoreMeta {
  /** Latest timestamp of any accepted row (epoch ms), null in an empty store. */
  asOf: number | null
  /** Increases with every run that changed data. */
  dataVersion: number
  /** The selection policy the stored views were rendered with. */
  policy: SelectionPolicy
}

/** A stored view as lookup returns it: enough to render the response and its ETag. */
export interface StoredView {
  vehicleId: string
  qrCode: string | null
  template: string
  openCycle: OpenCycle | null
  contentHash: string
  asOf: number | null
  dataVersion: number
}

export interface StoreStats {
  runs: { total: number; succeeded: number; failed: number; lastRunId: string | null; lastFinishedAt: string | null }
  rows: { deployments: number; pickups: number; rides: number }
  vehicles: number
  duplicates: { exact: number; conflict: number }
  rejected: { rows: number; reasons: Partial<Record<RejectReason, number>> }
  asOf: string | null
  dataVersion: number
}
