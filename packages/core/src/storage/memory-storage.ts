import { VehiclePerfError } from '../errors.js'
import { storeStatsFrom } from './store-stats.js'
import type { IngestReport } from '../ingest/ingest-report.js'
import type { VehicleHistory } from '../response/vehicle-events.js'
import type { VehicleView } from '../response/vehicle-response.js'
import { ROW_KINDS, type RowKind } from '../rows/kinds.js'
import type { RejectReason } from '../rows/reject-reasons.js'
import { rowKey, type StoredRow } from '../rows/row-types.js'
import type { VehicleKey } from '../values/ids.js'
import type {
  DuplicateRecord,
  KeyChunk,
  KeySettlement,
  LogFilter,
  LoggedDuplicate,
  LoggedReject,
  RefreshSession,
  RejectRecord,
  RunStart,
  StagedBatch,
  StagedDuplicate,
  StagingSession,
  StorageAdapter,
  StoredView,
  StoreMeta,
  StoreStats,
} from './storage-contract.js'

// The reference store: the whole contract on Maps and arrays, written from
// storage-contract.ts alone. Read it first when writing an adapter; use it
// when you want the domain without a database (a pipeline, a unit test).
// A run's writes are kept aside and applied in one synchronous step at
// commit, so readers never see half a run.

/** Everything a memory store holds. Several adapters may share one (as connections share a database). */
export class MemoryDatabase {
  meta: StoreMeta = { asOf: null, dataVersion: 0, policy: 'recent', nextSeq: 1 }
  /** Every stored row, by vehicle. */
  readonly rows = new Map<string, StoredRow[]>()
  /** The stored row of every key, per kind (three key spaces). */
  readonly keys: Record<RowKind, Map<string, StoredRow>> = { deployment: new Map(), pickup: new Map(), ride: new Map() }
  readonly views = new Map<string, VehicleView>()
  /** QR code -> vehicle id -> recency of its claim. */
  readonly claims = new Map<string, Map<string, string>>()
  readonly rejects: (RejectRecord & { runId: string })[] = []
  readonly duplicates: (DuplicateRecord & { runId: string })[] = []
  /** Run reports, committed and failed, in the order they ended. */
  readonly runs: IngestReport[] = []
  /** The end of the ingest queue: each run waits for the one before it. */
  lockTail: Promise<void> = Promise.resolve()
}

export interface MemoryStorageOptions {
  /** The data to use; a new, empty one by default. Pass another store's to share it. */
  database?: MemoryDatabase
  /** How long an ingest waits for another one to finish before failing with `store_busy`. Default 5000 ms. */
  lockTimeoutMs?: number
}

const STORE = 'memory'

/** Waits for the ingest before it, up to `timeoutMs`; returns the release of this run's turn. */
async function takeLock(database: MemoryDatabase, timeoutMs: number): Promise<() => void> {
  let release!: () => void
  const mine = new Promise<void>((resolve) => (release = resolve))
  const previous = database.lockTail
  database.lockTail = previous.then(() => mine)
  let timer: NodeJS.Timeout | undefined
  const timedOut = await Promise.race([
    previous.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
  ])
  clearTimeout(timer)
  if (timedOut) {
    // Our turn passes straight on to the next run once the current one ends.
    release()
    throw new VehiclePerfError('store_busy', `another ingest is running (waited ${timeoutMs} ms); try again when it has finished`, { store: STORE })
  }
  return release
}

class MemoryStaging implements StagingSession {
  private readonly staged: (StagedBatch['rows'][number] & { seq: number; file: number; kind: RowKind })[] = []
  private readonly rejects: RejectRecord[] = []
  private fileMark: { staged: number; rejects: number } | null = null
  private ended = false

  constructor(
    private readonly database: MemoryDatabase,
    readonly runId: string,
    readonly startedAt: Date,
    private readonly release: () => void,
  ) {}

  async meta(): Promise<StoreMeta> {
    return { ...this.database.meta }
  }

  async fileAlreadyIngested(sha256: string): Promise<boolean> {
    return this.database.runs.some((run) => run.status === 'succeeded' && run.files.some((file) => file.sha256 === sha256 && file.error === null))
  }

  async beginFile(): Promise<void> {
    this.fileMark = { staged: this.staged.length, rejects: this.rejects.length }
  }

  async commitFile(): Promise<void> {
    this.fileMark = null
  }

  async rollbackFile(): Promise<void> {
    if (this.fileMark === null) return
    this.staged.length = this.fileMark.staged
    this.rejects.length = this.fileMark.rejects
    this.fileMark = null
  }

  async stageRows(batch: StagedBatch): Promise<void> {
    this.assertOpen()
    batch.rows.forEach(({ row, line }, i) => this.staged.push({ row, line, seq: batch.firstSeq + i, file: batch.file, kind: batch.kind }))
  }

  async logRejects(rejects: readonly RejectRecord[]): Promise<void> {
    this.assertOpen()
    this.rejects.push(...rejects)
  }

  async settleKeys(settlement: KeySettlement): Promise<RefreshSession> {
    this.assertOpen()
    this.ended = true
    const kept: StoredRow[] = []
    const duplicates: DuplicateRecord[] = []
    let pending: StagedDuplicate[] = []
    const flush = (): void => {
      if (pending.length > 0) duplicates.push(...settlement.onDuplicates(pending))
      pending = []
    }
    // Rows were staged in seq order, so the first one seen of a key has the lowest seq.
    for (const [done, kind] of ROW_KINDS.entries()) {
      settlement.onStep?.({ done, total: ROW_KINDS.length, label: `${kind}s: settling keys` })
      const stored = this.database.keys[kind]
      const firstOfRun = new Map<string, StoredRow>()
      for (const staged of this.staged) {
        if (staged.kind !== kind) continue
        const key = rowKey(staged.row)
        const version = stored.get(key) ?? firstOfRun.get(key)
        if (version !== undefined) {
          pending.push({ kind, key, file: staged.file, line: staged.line, incoming: staged.row, kept: version })
          if (pending.length >= settlement.chunkSize) flush()
        } else {
          const row = { ...staged.row, seq: staged.seq } as StoredRow
          firstOfRun.set(key, row)
          kept.push(row)
        }
      }
    }
    flush()
    settlement.onStep?.({ done: ROW_KINDS.length, total: ROW_KINDS.length, label: 'duplicates' })
    const touched = new Set(kept.map((row) => row.vehicleId))
    if (settlement.everyVehicle) for (const vehicleId of this.database.rows.keys()) touched.add(vehicleId)
    return new MemoryRefresh(this.database, this.runId, this.release, { kept, touched, rejects: this.rejects, duplicates })
  }

  async rollback(report: IngestReport): Promise<void> {
    this.ended = true
    endRun(this.database, report, this.release)
  }

  private assertOpen(): void {
    if (this.ended) throw new VehiclePerfError('internal', 'this staging session has ended', { store: STORE })
  }
}

/** What a run writes, applied at commit. */
interface RunWrites {
  kept: StoredRow[]
  touched: Set<string>
  rejects: RejectRecord[]
  duplicates: DuplicateRecord[]
}

function endRun(database: MemoryDatabase, report: IngestReport, release: () => void): void {
  database.runs.push(structuredClone(report))
  release()
}

class MemoryRefresh implements RefreshSession {
  readonly vehicleCount: number
  private readonly views = new Map<string, VehicleView>()
  private ended = false

  constructor(
    private readonly database: MemoryDatabase,
    readonly runId: string,
    private readonly release: () => void,
    private readonly writes: RunWrites,
  ) {
    this.vehicleCount = writes.touched.size
  }

  async *vehicles(chunkSize: number): AsyncIterable<readonly VehicleHistory[]> {
    const keptOf = new Map<string, StoredRow[]>()
    for (const row of this.writes.kept) {
      const rows = keptOf.get(row.vehicleId)
      if (rows === undefined) keptOf.set(row.vehicleId, [row])
      else rows.push(row)
    }
    let chunk: VehicleHistory[] = []
    for (const vehicleId of this.writes.touched) {
      chunk.push({ vehicleId, rows: [...(this.database.rows.get(vehicleId) ?? []), ...(keptOf.get(vehicleId) ?? [])] })
      if (chunk.length >= chunkSize) {
        yield chunk
        chunk = []
      }
    }
    if (chunk.length > 0) yield chunk
  }

  async saveViews(views: readonly VehicleView[]): Promise<void> {
    for (const view of views) this.views.set(view.vehicleId, view)
  }

  async commit(report: IngestReport, meta: StoreMeta): Promise<void> {
    if (this.ended) throw new VehiclePerfError('internal', 'this run has ended', { store: STORE })
    this.ended = true
    const { database, writes } = this
    for (const row of writes.kept) {
      database.keys[row.kind].set(rowKey(row), row)
      const rows = database.rows.get(row.vehicleId)
      if (rows === undefined) database.rows.set(row.vehicleId, [row])
      else rows.push(row)
    }
    for (const view of this.views.values()) {
      const previous = database.views.get(view.vehicleId)
      for (const claim of previous?.qrClaims ?? []) database.claims.get(claim.qrCode)?.delete(view.vehicleId)
      for (const claim of view.qrClaims) {
        let owners = database.claims.get(claim.qrCode)
        if (owners === undefined) database.claims.set(claim.qrCode, (owners = new Map()))
        owners.set(view.vehicleId, claim.recency)
      }
      database.views.set(view.vehicleId, view)
    }
    database.rejects.push(...writes.rejects.map((reject) => ({ ...reject, runId: this.runId })))
    database.duplicates.push(...writes.duplicates.map((duplicate) => ({ ...duplicate, runId: this.runId })))
    database.meta = { ...meta }
    endRun(database, report, this.release)
  }

  async rollback(report: IngestReport): Promise<void> {
    if (this.ended) return
    this.ended = true
    endRun(this.database, report, this.release)
  }
}

/** The vehicle a QR code resolves to: the one with the greatest claim. */
function ownerOf(database: MemoryDatabase, qrCode: string): string | null {
  let owner: string | null = null
  let best = ''
  for (const [vehicleId, recency] of database.claims.get(qrCode) ?? []) {
    if (owner === null || recency > best) {
      owner = vehicleId
      best = recency
    }
  }
  return owner
}

function matchesLog(record: { runId: string; source: string; kind: RowKind }, filter: LogFilter): boolean {
  return (filter.runId === undefined || record.runId === filter.runId) && (filter.source === undefined || record.source === filter.source) && (filter.kind === undefined || record.kind === filter.kind)
}

function countReasons(rejects: readonly RejectRecord[]): Partial<Record<RejectReason, number>> {
  const reasons: Partial<Record<RejectReason, number>> = {}
  for (const reject of rejects) for (const reason of reject.reasons) reasons[reason] = (reasons[reason] ?? 0) + 1
  return reasons
}

/** A complete store in memory: the reference for adapter authors, and the domain without a database. */
export function createMemoryStorage(options: MemoryStorageOptions = {}): StorageAdapter {
  const database = options.database ?? new MemoryDatabase()
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000
  let closed = false
  const open = (): MemoryDatabase => {
    if (closed) throw new VehiclePerfError('store_unreachable', 'the store is closed', { store: STORE })
    return database
  }

  return {
    name: STORE,
    capabilities: { packedRows: false },

    async migrate() {
      open()
    },

    async beginIngest(run: RunStart): Promise<StagingSession> {
      const release = await takeLock(open(), lockTimeoutMs)
      return new MemoryStaging(database, run.runId, run.startedAt, release)
    },

    async lookup(key: VehicleKey): Promise<StoredView | null> {
      const db = open()
      const vehicleId = key.type === 'vehicle_id' ? key.value : ownerOf(db, key.value)
      const view = vehicleId === null ? undefined : db.views.get(vehicleId)
      if (view === undefined) return null
      const { qrCode, template, openCycle, contentHash } = view
      return { vehicleId: view.vehicleId, qrCode, template, openCycle, contentHash, asOf: db.meta.asOf, dataVersion: db.meta.dataVersion }
    },

    async meta() {
      return { ...open().meta }
    },

    async *listKeys(chunkSize: number): AsyncIterable<KeyChunk> {
      const db = open()
      // Read at once, so every chunk is of one data version.
      const { dataVersion } = db.meta
      const keys: VehicleKey[] = [
        ...[...db.views.keys()].sort().map((value) => ({ type: 'vehicle_id' as const, value })),
        ...[...db.claims].filter(([, owners]) => owners.size > 0).map(([value]) => ({ type: 'qr_code' as const, value })).sort((a, b) => (a.value < b.value ? -1 : 1)),
      ]
      for (let at = 0; at < keys.length; at += chunkSize) yield { dataVersion, keys: keys.slice(at, at + chunkSize) }
    },

    async stats(): Promise<StoreStats> {
      const db = open()
      const last = db.runs.reduce<IngestReport | null>((latest, run) => (latest === null || run.started_at >= latest.started_at ? run : latest), null)
      const grouped = <T>(items: readonly T[], by: (item: T) => string): Map<string, number> => {
        const groups = new Map<string, number>()
        for (const item of items) groups.set(by(item), (groups.get(by(item)) ?? 0) + 1)
        return groups
      }
      return storeStatsFrom({
        runs: [...grouped(db.runs, (run) => run.status)].map(([status, n]) => ({ status, n })),
        lastRun: last === null ? null : { runId: last.run_id, finishedAt: last.finished_at },
        rows: ROW_KINDS.map((kind) => ({ kind, n: db.keys[kind].size })),
        vehicles: db.views.size,
        duplicates: [...grouped(db.duplicates, (d) => d.classification)].map(([classification, n]) => ({ classification, n })),
        rejectedRows: db.rejects.length,
        reasons: countReasons(db.rejects),
        meta: db.meta,
      })
    },

    async vehicleRows(vehicleId: string): Promise<StoredRow[]> {
      return [...(open().rows.get(vehicleId) ?? [])]
    },

    async *listRejects(filter: LogFilter = {}): AsyncIterable<LoggedReject> {
      for (const reject of open().rejects) {
        if (matchesLog(reject, filter) && (filter.reason === undefined || reject.reasons.includes(filter.reason))) {
          yield { ...reject, fields: [...reject.fields], reasons: [...reject.reasons] }
        }
      }
    },

    async *listDuplicates(filter: LogFilter = {}): AsyncIterable<LoggedDuplicate> {
      for (const duplicate of open().duplicates) {
        if (matchesLog(duplicate, filter) && (filter.classification === undefined || duplicate.classification === filter.classification)) yield { ...duplicate }
      }
    },

    async close() {
      closed = true
      await database.lockTail
    },
  }
}
