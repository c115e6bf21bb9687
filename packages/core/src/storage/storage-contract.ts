import type { IngestReport } from '../ingest/ingest-report.js'
import type { SelectionPolicy } from '../response/response-schema.js'
import type { VehicleHistory } from '../response/vehicle-events.js'
import type { OpenCycle, VehicleView } from '../response/vehicle-response.js'
import type { DuplicateClass } from '../rows/deduplicate.js'
import type { RowKind } from '../rows/kinds.js'
import type { PackedVehicles } from '../rows/packed-rows.js'
import type { RejectReason } from '../rows/reject-reasons.js'
import type { OperationRow, StoredRow } from '../rows/row-types.js'
import type { VehicleKey } from '../values/ids.js'

// The storage contract. A store only stores: every rule of the domain
// (validation, which version of a key is a duplicate of which, cycles,
// metrics, QR recency) lives in core, which hands the store plain typed
// rows and asks it for them back. What a store must keep is written on the
// types below; `createMemoryStorage()` (memory-storage.ts) is a complete
// store written from them alone, and `@vehicle-perf/core/testing` checks any
// store against them.
//
// An ingest run goes through three phases, each a type that only the
// previous phase returns, so they cannot be called out of order:
//
//   adapter.beginIngest()  -> StagingSession   stage rows, log rejects
//   staging.settleKeys()   -> RefreshSession   keys settled, duplicates logged
//   refresh.commit()                           views saved, run durable
//
// Either session's `rollback` ends the run and leaves the store as it was.

/**
 * Faster paths a store may offer (kysely's capability flags are the model).
 * Core uses a path when its flag is true and the plain path otherwise; the
 * conformance suite checks both.
 */
export interface StorageCapabilities {
  /**
   * The store keeps rows as core's packed records (`@vehicle-perf/core/packed-rows`)
   * and hands them to the refresh as they are, through
   * `RefreshSession.packedVehicles`: no rows to decode on the ingest thread,
   * one buffer per chunk to the render thread.
   */
  packedRows: boolean
}

export interface StorageAdapter {
  /** Short name for logs and errors (`sqlite`, `postgres`, `memory`); errors carry it as `store`. */
  readonly name: string
  readonly capabilities: StorageCapabilities
  /** Creates or upgrades the schema. Safe to call any number of times, from several processes at once. */
  migrate(): Promise<void>
  /**
   * Takes the ingest lock (waiting up to the store's lock timeout, then
   * failing with code `store_busy`) and opens the run's transaction: nothing
   * written through the run is visible to readers before `commit`.
   */
  beginIngest(run: RunStart): Promise<StagingSession>
  /**
   * One read of the stored view of a vehicle id, or of the vehicle a QR code
   * (upper-case) resolves to: the vehicle with the greatest `recency` among
   * the QR code's claims (`VehicleView.qrClaims`). Null when there is none.
   * A server calls it many times at once: each call answers as a lone one
   * would, whatever a store does to serve them together (a networked store
   * may read concurrent keys in one statement).
   */
  lookup(key: VehicleKey): Promise<StoredView | null>
  /**
   * Every stored row of a vehicle as of the last commit, each with its seq,
   * in any order; empty when it has none. The report page folds them into
   * the vehicle's whole history (every cycle and ride); not a hot path.
   */
  vehicleRows(vehicleId: string): Promise<StoredRow[]>
  /** The meta of the last committed run. */
  meta(): Promise<StoreMeta>
  /**
   * Every key `lookup` finds (each vehicle id with a view, each QR code with
   * a claim), about `chunkSize` at a time, each chunk with the data version
   * it was read at: a server builds a filter of known keys from them. When
   * the version differs between chunks the listing is not consistent and
   * the caller starts again.
   */
  listKeys(chunkSize: number): AsyncIterable<KeyChunk>
  stats(): Promise<StoreStats>
  /**
   * The rejected rows the runs logged, in the order they were logged, that
   * match every field `filter` gives. Each run keeps its own log: a file
   * ingested twice logs its rejects twice. Read in pages, so memory stays
   * bounded whatever the log's size.
   */
  listRejects(filter?: LogFilter): AsyncIterable<LoggedReject>
  /** The duplicates the runs logged, as `listRejects` (`reason` does not apply). */
  listDuplicates(filter?: LogFilter): AsyncIterable<LoggedDuplicate>
  /**
   * Optional, for a store read from a replica: how far it is behind its
   * primary in ms (0 when it has replayed everything it received), null
   * when it is no replica. A server's readiness reports it.
   */
  replicaLagMs?(): Promise<number | null>
  /** Waits for a running ingest, then closes what the store opened (never what the host passed in). */
  close(): Promise<void>
}

export interface RunStart {
  runId: string
  startedAt: Date
}

/** A valid row of a file and the physical line its record starts on. */
export interface StagedRow {
  row: OperationRow
  line: number
}

/** Valid rows of one file, in read order, as core stages them. */
export interface StagedBatch {
  kind: RowKind
  /** The file's position in the run (0-based): duplicates name it, so core counts them in their own file. */
  file: number
  /**
   * The seq of `rows[0]`; `rows[i]` has seq `firstSeq + i`. Core hands out
   * seqs in read order from `StoreMeta.nextSeq`, so a seq is greater than
   * every seq of an earlier run. The store keeps each row's seq with it.
   */
  firstSeq: number
  rows: readonly StagedRow[]
}

/** A staged row whose key was already taken, with the version that keeps it. */
export interface StagedDuplicate {
  kind: RowKind
  key: string
  /** The position of its file in the run. */
  file: number
  line: number
  incoming: OperationRow
  /** The version of the key that is stored (or will be, at commit). */
  kept: OperationRow
}

export interface RejectRecord {
  source: string
  line: number
  kind: RowKind
  /** The raw fields as read, capped (1 KiB in all): enough to find the row. */
  fields: string[]
  /** True when `fields` were cut to the cap. */
  truncated: boolean
  reasons: RejectReason[]
}

export interface DuplicateRecord {
  kind: RowKind
  key: string
  source: string
  line: number
  classification: DuplicateClass
  /** The version that won (the stored one, or the first read). */
  kept: OperationRow
  /** The version that came later; for `exact` it equals `kept` field for field. */
  incoming: OperationRow
}

/** Which logged rows to list; every field given must match. */
export interface LogFilter {
  runId?: string
  /** The file's name as the run report gives it. */
  source?: string
  kind?: RowKind
  /** Rejects with this reason among theirs. */
  reason?: RejectReason
  classification?: DuplicateClass
}

export interface LoggedReject extends RejectRecord {
  runId: string
}

export interface LoggedDuplicate {
  runId: string
  kind: RowKind
  key: string
  source: string
  line: number
  classification: DuplicateClass
  /** The two versions of a conflict. A store may drop them for an exact duplicate (null): they equal the stored row. */
  kept: OperationRow | null
  incoming: OperationRow | null
}

/** A step of settling keys, for a progress bar: about to start step `done + 1` of `total`. */
export interface SettleStep {
  done: number
  total: number
  /** What the step does, for people: "rides: settling keys". */
  label: string
}

/**
 * Phase 1 of a run: core stages every file's valid rows and logs its
 * rejects. A file is all or nothing: `rollbackFile` forgets every row staged
 * and every reject logged since `beginFile`.
 */
export interface StagingSession {
  readonly runId: string
  readonly startedAt: Date
  /** The store's meta as the run's transaction sees it. */
  meta(): Promise<StoreMeta>
  /** True when a run that succeeded ingested a file with these bytes, and the file did not fail. */
  fileAlreadyIngested(sha256: string): Promise<boolean>
  beginFile(): Promise<void>
  commitFile(): Promise<void>
  rollbackFile(): Promise<void>
  /**
   * Keeps the batch's rows, with their seqs, for settleKeys. Only stages:
   * keys are settled once per run, after the last file (a sort, not a probe
   * per row).
   */
  stageRows(batch: StagedBatch): Promise<void>
  logRejects(rejects: readonly RejectRecord[]): Promise<void>
  /**
   * Ends staging. For each kind and key (deployments, pickups and rides are
   * three key spaces), the version that is kept is the stored one when an
   * earlier run stored the key, else the staged row with the lowest seq.
   * Kept staged rows are stored by `commit`. Every other staged row is handed
   * exactly once to `settlement.onDuplicates` with the kept version, at most
   * `chunkSize` at a time, in any order; the records it returns are logged in
   * the run's transaction. Rows of a rolled-back file are neither kept nor
   * duplicates.
   *
   * The refresh that follows covers the vehicle of every kept staged row
   * (the touched vehicles), and every stored vehicle when
   * `settlement.everyVehicle`.
   */
  settleKeys(settlement: KeySettlement): Promise<RefreshSession>
  /** Discards everything the run wrote, records the run (its report) as failed, releases the lock. */
  rollback(report: IngestReport): Promise<void>
}

export interface KeySettlement {
  chunkSize: number
  /** Refresh every stored vehicle too: the selection policy changed, so every view is rendered anew. */
  everyVehicle: boolean
  /** Called before each of the store's long steps, and once at the end with `done === total`. */
  onStep?: (step: SettleStep) => void
  /** Core classifies a chunk of duplicates; the store logs the records it returns. */
  onDuplicates: (duplicates: readonly StagedDuplicate[]) => readonly DuplicateRecord[]
}

/**
 * Phase 2 of a run: core reads each vehicle to refresh with all its rows,
 * renders its view and has the store save it, then commits.
 */
export interface RefreshSession {
  readonly runId: string
  /** How many vehicles `vehicles` (or `packedVehicles`) yields. */
  readonly vehicleCount: number
  /**
   * Each vehicle to refresh once, with every row it has (stored ones and the
   * run's kept ones, each with its seq, in any order), about `chunkSize`
   * vehicles at a time, in any order. Core calls this or `packedVehicles`
   * at most once.
   */
  vehicles(chunkSize: number): AsyncIterable<readonly VehicleHistory[]>
  /** The same as packed records (capability `packedRows`). A yielded buffer becomes core's. */
  packedVehicles?(chunkSize: number): AsyncIterable<PackedVehicles>
  /**
   * Stores each view (replacing the vehicle's previous one) and its QR
   * claims (replacing the vehicle's previous claims).
   */
  saveViews(views: readonly VehicleView[]): Promise<void>
  /**
   * Stores the kept rows (if not yet), the run record and the new meta;
   * commits; releases the lock. If it rejects, nothing of the run is stored
   * and the run stays open for `rollback`, which records it as failed.
   */
  commit(report: IngestReport, meta: StoreMeta): Promise<void>
  /** As StagingSession.rollback. */
  rollback(report: IngestReport): Promise<void>
}

export interface StoreMeta {
  /** Latest timestamp of any accepted row (epoch ms), null in an empty store. */
  asOf: number | null
  /** Increases with every run that changed data. */
  dataVersion: number
  /** The selection policy the stored views were rendered with. */
  policy: SelectionPolicy
  /** The seq the next run's first staged row gets (1 in an empty store). */
  nextSeq: number
}

/** A stored view as lookup returns it: enough to render the response and its ETag. */
export interface StoredView {
  vehicleId: string
  qrCode: string | null
  template: string
  openCycle: OpenCycle | null
  contentHash: string
  /** The store's as_of and data version, read with the view. */
  asOf: number | null
  dataVersion: number
}

export interface KeyChunk {
  dataVersion: number
  keys: VehicleKey[]
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
