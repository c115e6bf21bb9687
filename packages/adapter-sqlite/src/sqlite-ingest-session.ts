import type Database from 'better-sqlite3'
import type {
  DuplicateRecord,
  IngestReport,
  IngestSession,
  RejectRecord,
  ResolveStep,
  RowKind,
  StagedDuplicate,
  StagedRow,
  StoreMeta,
  VehicleEvents,
  VehicleView,
} from '@vehicle-perf/core'
import { deploymentFrom, pickupFrom, rideFrom, ROW_KINDS, ROW_TABLES, rowFrom, rowValues, selectColumns, type SqlValue } from './row-columns.js'
import { clearTempTables, stageTable } from './staging.js'
import { nextRunSeq, readMeta, recordRun } from './sqlite-runs.js'

type Statement = Database.Statement<unknown[], Record<string, SqlValue>>
type RawStatement = Database.Statement<unknown[], SqlValue[]>

/**
 * The rows of the touched vehicles with ids in [?, ?], by vehicle, in ingest
 * order. CROSS JOIN makes SQLite seek each touched vehicle's range (rows are
 * clustered by (vehicle_id, seq)); left to itself it scanned every row
 * between the first and the last id of a chunk, so a 1% batch whose vehicles
 * are spread over the id space read the whole table (measured: 2.5 s of CPU
 * for 4,200 vehicles at scale 100, growing with the store, not the batch).
 */
export function touchedRowsSql(kind: RowKind): string {
  return `
    SELECT ${selectColumns(kind, 't.')} FROM temp.touched_vehicles v CROSS JOIN ${ROW_TABLES[kind].table} t ON t.vehicle_id = v.vehicle_id
    WHERE v.vehicle_id >= ? AND v.vehicle_id <= ? ORDER BY v.vehicle_id, t.seq`
}

/**
 * One ingest run on the write connection: one transaction (BEGIN IMMEDIATE,
 * which is also the cross-process ingest lock), a savepoint per file, and
 * connection-local temp tables (staged rows, touched vehicles) so that
 * nothing grows in memory. Rows are appended to staging as they are read;
 * resolveStaged then settles every key with a few set-based statements (one
 * sort per kind) and writes the new rows in (vehicle_id, seq) order and the
 * new keys in key order, instead of two random B-tree inserts per row.
 * better-sqlite3 is synchronous: every method does its SQL in one go, so no
 * other statement on the connection can interleave.
 */
export class SqliteIngestSession implements IngestSession {
  private readonly stage: Record<RowKind, Statement>
  private readonly insertReject: Statement
  private readonly insertDuplicate: Statement
  private readonly upsertView: Statement
  private readonly deleteClaims: Statement
  private readonly insertClaim: Statement
  private finished = false
  /** Rows carry this small number rather than the 36-character run id. */
  private readonly runSeq: number
  /** Global ingest order of rows (staged rows keep theirs when stored); persisted in store_meta at commit. */
  private nextSeq: number
  private resolved = false

  constructor(
    private readonly db: Database.Database,
    readonly runId: string,
    readonly startedAt: Date,
    private readonly release: () => void,
  ) {
    this.runSeq = nextRunSeq(db)
    this.nextSeq = db.prepare('SELECT next_seq FROM store_meta WHERE id = 1').pluck().get() as number
    const prepare = (sql: string): Statement => db.prepare(sql) as Statement
    this.stage = Object.fromEntries(
      ROW_KINDS.map((kind) => {
        const columns = ['seq', 'file', 'line', ...ROW_TABLES[kind].columns]
        return [kind, prepare(`INSERT INTO ${stageTable(kind)} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)]
      }),
    ) as Record<RowKind, Statement>
    this.insertReject = prepare('INSERT INTO rejected_rows (run_id, source, line, kind, fields, reasons) VALUES (?, ?, ?, ?, ?, ?)')
    this.insertDuplicate = prepare(
      'INSERT INTO duplicate_rows (run_id, kind, key, source, line, classification, kept, incoming) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.upsertView = prepare(`
      INSERT INTO vehicle_views (vehicle_id, qr_code, template, open_started_at, open_ride_time_s, open_revenue_cents, content_hash)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (vehicle_id) DO UPDATE SET qr_code = excluded.qr_code, template = excluded.template,
        open_started_at = excluded.open_started_at, open_ride_time_s = excluded.open_ride_time_s,
        open_revenue_cents = excluded.open_revenue_cents, content_hash = excluded.content_hash`)
    this.deleteClaims = prepare('DELETE FROM qr_claims WHERE vehicle_id = ?')
    this.insertClaim = prepare('INSERT INTO qr_claims (vehicle_id, qr_code, recency) VALUES (?, ?, ?)')
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
    // One prepared single-row INSERT per row into an unindexed table: measured
    // faster here than multi-row INSERTs (binding hundreds of spread arguments).
    const stage = this.stage[kind]
    for (const { row, line } of rows) stage.run(this.nextSeq++, file, line, ...rowValues(row))
  }

  async *resolveStaged(chunkSize: number, onStep?: (step: ResolveStep) => void): AsyncIterable<StagedDuplicate[]> {
    if (this.resolved) throw new Error('resolveStaged called twice in one run')
    this.resolved = true
    const steps = ROW_KINDS.flatMap((kind) => this.storeSteps(kind))
    for (const [done, step] of steps.entries()) {
      onStep?.({ done, total: steps.length, label: step.label })
      this.db.exec(step.sql)
    }
    onStep?.({ done: steps.length, total: steps.length, label: 'duplicates' })
    for (const kind of ROW_KINDS) {
      const { table, key } = ROW_TABLES[kind]
      const columns = ROW_TABLES[kind].columns
      // Every staged key is in the key table now; a row that is not the kept one is a duplicate of it.
      const duplicates = this.db
        .prepare(`
          SELECT s.seq, s.file, s.line, ${columns.map((c) => `s.${c}`).join(', ')}, ${selectColumns(kind, 't.')}
          FROM ${stageTable(kind)} s
          JOIN ${kind}_keys k ON k.${key} = s.${key}
          JOIN ${table} t ON t.vehicle_id = k.vehicle_id AND t.seq = k.seq
          WHERE s.seq > ? AND s.lost = 1 ORDER BY s.seq LIMIT ?`)
        .raw() as RawStatement
      const staged = 3
      const kept = staged + columns.length
      let after = 0
      for (;;) {
        const rows = duplicates.all(after, chunkSize) as SqlValue[][]
        if (rows.length === 0) break
        yield rows.map((r) => ({
          kind,
          key: r[staged] as string,
          file: r[1] as number,
          line: r[2] as number,
          // rowFrom reads [seq, ...columns].
          incoming: rowFrom(kind, [r[0] as number, ...r.slice(staged, kept)]),
          kept: rowFrom(kind, r.slice(kept)),
        }))
        after = rows[rows.length - 1]?.[0] as number
      }
    }
  }

  /**
   * Settles one kind's staged keys in a single sort: staged keys are inserted
   * into the key table in (key, seq) order, so the first staged row of a key
   * comes first; a temp trigger turns away every key the table already has
   * (stored before, or just inserted) and marks its staged row lost. The
   * trigger lives only for this statement: one pass instead of a window sort
   * and a key sort. Winners,
   * every row not lost, are stored in (vehicle_id, seq) order and their
   * vehicles touched (OR IGNORE on the touched table's key: cheaper than a
   * DISTINCT over millions of rows). Three steps, each one long statement.
   */
  private storeSteps(kind: RowKind): { label: string; sql: string }[] {
    const { table, key, columns } = ROW_TABLES[kind]
    const stage = stageTable(kind)
    return [
      {
        label: `${table}: settling keys`,
        sql: `
        DROP TRIGGER IF EXISTS temp.keep_first_version;
        CREATE TEMP TRIGGER keep_first_version BEFORE INSERT ON main.${kind}_keys
          WHEN EXISTS (SELECT 1 FROM main.${kind}_keys k WHERE k.${key} = NEW.${key})
          BEGIN
            UPDATE ${stage} SET lost = 1 WHERE seq = NEW.seq;
            SELECT RAISE(IGNORE);
          END;
        INSERT INTO ${kind}_keys (${key}, vehicle_id, seq)
          SELECT ${key}, vehicle_id, seq FROM ${stage} ORDER BY ${key}, seq;
        DROP TRIGGER temp.keep_first_version;`,
      },
      {
        label: `${table}: storing new rows`,
        sql: `
        INSERT INTO ${table} (seq, ${columns.join(', ')}, run_seq)
          SELECT seq, ${columns.join(', ')}, ${this.runSeq} FROM ${stage} WHERE lost IS NULL
          ORDER BY vehicle_id, seq;`,
      },
      {
        label: `${table}: listing touched vehicles`,
        sql: `
        INSERT OR IGNORE INTO temp.touched_vehicles (vehicle_id)
          SELECT vehicle_id FROM ${stage} WHERE lost IS NULL;`,
      },
    ]
  }

  async logRejects(rejects: readonly RejectRecord[]): Promise<void> {
    for (const reject of rejects) {
      this.insertReject.run(this.runId, reject.source, reject.line, reject.kind, JSON.stringify(reject.fields), reject.reasons.join(','))
    }
  }

  async logDuplicates(duplicates: readonly DuplicateRecord[]): Promise<void> {
    for (const d of duplicates) {
      // An exact duplicate equals the kept row, which stays in its table; a conflict keeps both versions here.
      const both = d.classification === 'conflict'
      this.insertDuplicate.run(this.runId, d.kind, d.key, d.source, d.line, d.classification, both ? JSON.stringify(d.kept) : null, both ? JSON.stringify(d.incoming) : null)
    }
  }

  async beginFile(): Promise<void> {
    this.db.exec('SAVEPOINT ingest_file')
  }

  async commitFile(): Promise<void> {
    this.db.exec('RELEASE ingest_file')
  }

  async rollbackFile(): Promise<void> {
    // Undoes the file's staged rows and logged rejects alike.
    this.db.exec('ROLLBACK TO ingest_file; RELEASE ingest_file')
  }

  async touchAllVehicles(): Promise<void> {
    this.db.exec(`
      INSERT OR IGNORE INTO temp.touched_vehicles (vehicle_id)
        SELECT vehicle_id FROM deployments UNION SELECT vehicle_id FROM pickups UNION SELECT vehicle_id FROM rides`)
  }

  async countTouchedVehicles(): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM temp.touched_vehicles').pluck().get() as number
  }

  async *touchedVehicles(chunkSize: number): AsyncIterable<VehicleEvents[]> {
    const nextIds = this.db.prepare('SELECT vehicle_id FROM temp.touched_vehicles WHERE vehicle_id > ? ORDER BY vehicle_id LIMIT ?').pluck()
    const inRange = (kind: RowKind): RawStatement => this.db.prepare(touchedRowsSql(kind)).raw() as RawStatement
    const deployments = inRange('deployment')
    const pickups = inRange('pickup')
    const rides = inRange('ride')
    let after = ''
    for (;;) {
      const ids = nextIds.all(after, chunkSize) as string[]
      if (ids.length === 0) return
      const first = ids[0] as string
      const last = ids[ids.length - 1] as string
      const byVehicle = new Map<string, { vehicleId: string; deployments: VehicleEvents['deployments'][number][]; pickups: VehicleEvents['pickups'][number][]; rides: VehicleEvents['rides'][number][] }>()
      for (const id of ids) byVehicle.set(id, { vehicleId: id, deployments: [], pickups: [], rides: [] })
      // Column 2 is vehicle_id for every kind (selectColumns: seq, key, vehicle_id, ...).
      for (const r of deployments.all(first, last)) byVehicle.get(r[2] as string)?.deployments.push(deploymentFrom(r))
      for (const r of pickups.all(first, last)) byVehicle.get(r[2] as string)?.pickups.push(pickupFrom(r))
      for (const r of rides.all(first, last)) byVehicle.get(r[2] as string)?.rides.push(rideFrom(r))
      yield [...byVehicle.values()]
      after = last
    }
  }

  async saveViews(views: readonly VehicleView[]): Promise<void> {
    for (const view of views) {
      const open = view.openCycle
      this.upsertView.run(view.vehicleId, view.qrCode, view.template, open?.startedAt ?? null, open?.rideTimeS ?? null, open?.revenueCents ?? null, view.contentHash)
      this.deleteClaims.run(view.vehicleId)
      for (const claim of view.qrClaims) this.insertClaim.run(view.vehicleId, claim.qrCode, claim.recency)
    }
  }

  async commit(report: IngestReport, meta: StoreMeta): Promise<void> {
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
      clearTempTables(this.db)
      this.release()
    }
  }
}
