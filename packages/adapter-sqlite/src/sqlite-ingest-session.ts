import type Database from 'better-sqlite3'
import type {
  DuplicateRecord,
  ExistingRow,
  IngestReport,
  IngestSession,
  RejectRecord,
  RowKind,
  RowToStore,
  StoreMeta,
  VehicleEvents,
  VehicleView,
} from '@vehicle-perf/core'
import { deploymentFrom, pickupFrom, rideFrom, ROW_TABLES, rowFrom, rowValues, selectColumns, type SqlValue } from './row-columns.js'
import { nextRunSeq, readMeta, recordRun } from './sqlite-runs.js'

type Statement = Database.Statement<unknown[], Record<string, SqlValue>>
type RawStatement = Database.Statement<unknown[], SqlValue[]>

/**
 * One ingest run on the write connection: one transaction (BEGIN IMMEDIATE,
 * which is also the cross-process ingest lock), a savepoint per file, and a
 * connection-local temp table of touched vehicles so that the set never sits
 * in memory. better-sqlite3 is synchronous: every method does its SQL in one
 * go, so no other statement on the connection can interleave.
 */
export class SqliteIngestSession implements IngestSession {
  private readonly insert: Record<RowKind, Statement>
  private readonly selectByKey: Record<RowKind, RawStatement>
  private readonly touch: Statement
  private readonly insertReject: Statement
  private readonly insertDuplicate: Statement
  private readonly upsertView: Statement
  private readonly deleteClaims: Statement
  private readonly insertClaim: Statement
  private finished = false
  /** Rows carry this small number rather than the 36-character run id. */
  private readonly runSeq: number
  /** Global ingest order of rows; persisted in store_meta at commit. */
  private nextSeq: number

  constructor(
    private readonly db: Database.Database,
    readonly runId: string,
    readonly startedAt: Date,
    private readonly release: () => void,
  ) {
    this.runSeq = nextRunSeq(db)
    this.nextSeq = db.prepare('SELECT next_seq FROM store_meta WHERE id = 1').pluck().get() as number
    const prepare = (sql: string): Statement => db.prepare(sql) as Statement
    const kinds: RowKind[] = ['deployment', 'pickup', 'ride']
    const byKind = (make: (kind: RowKind) => string): Record<RowKind, Statement> =>
      Object.fromEntries(kinds.map((kind) => [kind, prepare(make(kind))])) as Record<RowKind, Statement>
    this.insert = byKind((kind) => {
      const { table, key, columns } = ROW_TABLES[kind]
      const all = ['seq', ...columns, 'run_seq']
      return `INSERT INTO ${table} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')}) ON CONFLICT (${key}) DO NOTHING`
    })
    this.selectByKey = Object.fromEntries(
      kinds.map((kind) => [kind, db.prepare(`SELECT ${selectColumns(kind)} FROM ${ROW_TABLES[kind].table} WHERE ${ROW_TABLES[kind].key} = ?`).raw()]),
    ) as Record<RowKind, RawStatement>
    this.touch = prepare('INSERT OR IGNORE INTO temp.touched_vehicles (vehicle_id) VALUES (?)')
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

  async writeRows(kind: RowKind, rows: readonly RowToStore[]): Promise<ExistingRow[]> {
    // One prepared single-row INSERT per row: measured faster here than
    // multi-row INSERTs (binding hundreds of spread arguments costs more).
    const existing: ExistingRow[] = []
    const insert = this.insert[kind]
    for (const { row } of rows) {
      const values = rowValues(row)
      if (insert.run(this.nextSeq++, ...values, this.runSeq).changes === 0) {
        const stored = this.selectByKey[kind].get(values[0]) as SqlValue[]
        existing.push({ key: values[0] as string, row: rowFrom(kind, stored) })
      } else this.touchVehicle(row.vehicleId)
    }
    return existing
  }

  private lastTouched = ''

  private touchVehicle(vehicleId: string): void {
    // Files are mostly grouped by vehicle: skip repeated touches cheaply.
    if (vehicleId === this.lastTouched) return
    this.touch.run(vehicleId)
    this.lastTouched = vehicleId
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
    this.db.exec('ROLLBACK TO ingest_file; RELEASE ingest_file')
    // The rollback undid this file's touches too: the next touch must not be skipped.
    this.lastTouched = ''
  }

  async touchAllVehicles(): Promise<void> {
    this.db.exec(`
      INSERT OR IGNORE INTO temp.touched_vehicles (vehicle_id)
        SELECT vehicle_id FROM deployments UNION SELECT vehicle_id FROM pickups UNION SELECT vehicle_id FROM rides`)
  }

  async *touchedVehicles(chunkSize: number): AsyncIterable<VehicleEvents[]> {
    const nextIds = this.db.prepare('SELECT vehicle_id FROM temp.touched_vehicles WHERE vehicle_id > ? ORDER BY vehicle_id LIMIT ?').pluck()
    const inRange = (kind: RowKind): RawStatement =>
      this.db
        .prepare(`
        SELECT ${selectColumns(kind, 't.')} FROM temp.touched_vehicles v JOIN ${ROW_TABLES[kind].table} t ON t.vehicle_id = v.vehicle_id
        WHERE v.vehicle_id >= ? AND v.vehicle_id <= ? ORDER BY t.vehicle_id, t.seq`)
        .raw() as RawStatement
    // Rows are clustered by (vehicle_id, seq): each vehicle is one range scan, already in ingest order.
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
      this.db.exec('DELETE FROM temp.touched_vehicles')
      this.release()
    }
  }
}
