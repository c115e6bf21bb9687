import type pg from 'pg'
import type { DuplicateRecord, IngestReport, RejectRecord, RowKind, StoredRow, StoreMeta, VehicleView } from '@vehicle-perf/core'
import { PACKED_ROW_KIND_CODES } from '@vehicle-perf/core/packed-rows'
import type { FirstOfKey, FreshRows, SpilledRunBackend } from '@vehicle-perf/core/spilled-run'
import { BinaryTuples, copyBinary } from './binary-copy.js'
import { execute, inOwnTransaction, inTransaction, queryRows, watchConnection, type WatchedConnection } from './pg-client.js'
import { classify, isUnreachable, postgresError } from './postgres-errors.js'
import { readMeta, recordRun } from './postgres-runs.js'
import { createStatements } from './schema-ddl.js'
import { ingestLockOf, LOADED_IN_ORDER, qualified, type Tables } from './schema.js'
import { BLOB_COLUMNS, blobsOf, KEY_INDEX_COLUMNS, nextBlobId, storedVersionsOf, VehicleBlobWriter } from './vehicle-blobs.js'

/** A COPY goes out once its table's tuples reach this size: memory stays bounded, round trips few. */
const FLUSH_BYTES = 4 << 20
/** Room for a flush's worth and the tuple that crosses the line, so a buffer never grows. */
const TUPLES_BYTES = FLUSH_BYTES + (256 << 10)
/**
 * COPYs sent and not yet acknowledged. The connection runs statements in
 * the order they were sent, so the run goes on rendering while the server
 * loads; it waits only when this many are in flight (memory: their payloads).
 */
const COPIES_IN_FLIGHT = 4

const VIEW_COLUMNS = ['vehicle_id', 'qr_code', 'template', 'open_started_at', 'open_ride_time_s', 'open_revenue_cents', 'content_hash']
const CLAIM_COLUMNS = ['vehicle_id', 'qr_code', 'recency']
const REJECT_COLUMNS = ['run_id', 'source', 'line', 'kind', 'fields', 'truncated', 'reasons']
const DUPLICATE_COLUMNS = ['run_id', 'kind', 'key', 'source', 'line', 'classification', 'kept', 'incoming']

/** The tables a bulk load fills with their indexes dropped: the rows first (whether the store has any), then the key index, views and claims. */
function bulkTablesOf(tables: Tables): Tables[keyof Tables][] {
  return [tables.vehicleRows, tables.keyIndex, tables.vehicleViews, tables.qrClaims]
}

/**
 * One run on PostgreSQL, as core's spilled run sees it. The run holds one
 * connection in one transaction, opened under an advisory lock (the ingest
 * lock across processes and machines); a savepoint per file. Everything it
 * writes goes out in binary COPY: each vehicle's new rows as one blob of
 * core's packed rows and their keys in core's key index, views and QR
 * claims, rejects and duplicates. Core settles keys in temp files; this only
 * stores and finds, with one statement per key partition or batch of
 * vehicles.
 *
 * Into an empty store (a fleet's first import, the largest run it makes),
 * the indexes whose keys arrive out of order are dropped for the load and
 * built once at the end, in the same transaction (LOADED_IN_ORDER).
 */
export class PostgresRun implements SpilledRunBackend {
  readonly store = 'postgres'
  private readonly views = new BinaryTuples(TUPLES_BYTES)
  private readonly claims = new BinaryTuples(TUPLES_BYTES)
  private rejects = new BinaryTuples(64 << 10)
  private readonly duplicates = new BinaryTuples(64 << 10)
  /** Views and claims go to temp tables first when they may replace stored ones. */
  private viewTables: { views: string; claims: string } | null = null
  /** The COPYs sent and not yet acknowledged, in order: each starts when the one before it has ended. */
  private copies: Promise<void> = Promise.resolve()
  /** The tables this run emptied (TRUNCATE) for a bulk load: their COPYs write rows frozen. */
  private readonly frozen = new Set<string>()
  private copiesInFlight = 0
  private finished = false

  private constructor(
    private readonly pool: pg.Pool,
    private readonly client: pg.PoolClient,
    private readonly connection: WatchedConnection,
    private readonly tables: Tables,
    readonly runId: string,
    readonly startedAt: Date,
    readonly hasStoredRows: boolean,
    /** Where, for messages: the schema and the server. */
    private readonly where: string,
    private readonly onEnd: () => void,
    /** The store's seed of key hashes (its key index is cut by them). */
    readonly keySeed: number,
    /** The run's new blobs and key index entries, numbered from one past the store's largest blob id. */
    private readonly rows: VehicleBlobWriter,
  ) {}

  /**
   * Takes a connection, opens the run's transaction and waits up to
   * `lockTimeoutMs` for the ingest lock of this schema: another ingest, in
   * any process on any machine, holds it until it ends.
   */
  static async begin(pool: pg.Pool, tables: Tables, run: { runId: string; startedAt: Date }, lockTimeoutMs: number, where: string, onEnd: () => void): Promise<PostgresRun> {
    let client: pg.PoolClient
    try {
      client = await pool.connect()
    } catch (error) {
      onEnd()
      throw classify(error, 'cannot start an ingest on', where)
    }
    const connection = watchConnection(client)
    try {
      await client.query('BEGIN')
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`)
      try {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ingestLockOf(tables)])
      } catch (error) {
        if ((error as { code?: string }).code === '55P03') {
          throw postgresError('store_busy', `another ingest is running on ${where} (waited ${lockTimeoutMs} ms); try again when it has finished`, error)
        }
        throw error
      }
      // The run's own statements may be long (a bulk load, an index build): no timeout but the lock's.
      await client.query('SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0')
      // Which of the bulk tables hold rows, read once: the row tables say whether the store has rows at all.
      const bulk = bulkTablesOf(tables)
      const [filled] = (await queryRows<boolean[]>(client, `SELECT ${bulk.map((table) => `EXISTS (SELECT 1 FROM ${qualified(table)})`).join(', ')}`)) as [boolean[]]
      const hasRows = filled[0] === true
      const [[keySeed]] = (await queryRows<[number]>(client, `SELECT key_seed FROM ${qualified(tables.storeMeta)} WHERE id = 1`)) as [[number]]
      const rows = new VehicleBlobWriter(await nextBlobId(client, tables), TUPLES_BYTES)
      const started = new PostgresRun(pool, client, connection, tables, run.runId, run.startedAt, hasRows, where, onEnd, keySeed, rows)
      if (!hasRows) {
        await started.truncate(bulk.filter((_table, i) => filled[i] === false))
        await started.dropBulkIndexes()
      }
      return started
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      const lost = connection.lost()
      connection.unwatch()
      client.release(true)
      onEnd()
      throw classify(lost ?? error, 'cannot start an ingest on', where)
    }
  }

  /** Runs a step of the run, turning a driver error into one of ours (the server's own, when it ended the connection). */
  private async guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw classify(this.connection.lost() ?? error, what, this.where)
    }
  }

  /**
   * Sends a COPY without waiting for the server, unless too many are in
   * flight already. COPYs run one after the other on the run's connection;
   * every other statement waits for them first (drain).
   */
  private async send(target: string, columns: readonly string[], payload: readonly Buffer[]): Promise<void> {
    this.copiesInFlight++
    const freeze = this.frozen.has(target)
    const copy = this.copies.then(() => copyBinary(this.client, target, columns, payload, freeze)).finally(() => this.copiesInFlight--)
    // Awaited by drain(); a failure meanwhile must not count as unhandled, and fails every COPY after it.
    copy.catch(() => {})
    this.copies = copy
    if (this.copiesInFlight > COPIES_IN_FLIGHT) await copy
  }

  /** Waits for every COPY in flight: the first failure, if any, is thrown. */
  private async drain(): Promise<void> {
    await this.copies
  }

  meta(): Promise<StoreMeta> {
    return this.guard('cannot read the meta of', async () => {
      await this.drain()
      return readMeta(this.client, this.tables)
    })
  }

  fileAlreadyIngested(sha256: string): Promise<boolean> {
    return this.guard('cannot read the runs of', async () => {
      await this.drain()
      const found = await queryRows(
        this.client,
        `SELECT 1 FROM ${qualified(this.tables.ingestFiles)} f JOIN ${qualified(this.tables.ingestRuns)} r ON r.run_id = f.run_id
         WHERE f.sha256 = $1 AND f.error_code IS NULL AND r.status = 'succeeded' LIMIT 1`,
        [sha256],
      )
      return found.length > 0
    })
  }

  beginFile(): Promise<void> {
    return this.guard('ingest failed on', async () => {
      await this.drain()
      await execute(this.client, 'SAVEPOINT ingest_file')
    })
  }

  commitFile(): Promise<void> {
    return this.guard('ingest failed on', async () => {
      await this.flushRejects()
      await this.drain()
      await execute(this.client, 'RELEASE SAVEPOINT ingest_file')
    })
  }

  rollbackFile(): Promise<void> {
    return this.guard('ingest failed on', async () => {
      this.rejects = new BinaryTuples(64 << 10)
      // A COPY of the file's rejects may have failed: the savepoint undoes it either way.
      await this.drain().catch(() => {})
      this.copies = Promise.resolve()
      await execute(this.client, 'ROLLBACK TO SAVEPOINT ingest_file; RELEASE SAVEPOINT ingest_file')
    })
  }

  async logRejects(rejects: readonly RejectRecord[]): Promise<void> {
    for (const reject of rejects) {
      this.rejects.tuple(7).text(this.runId).text(reject.source).int8(reject.line).text(reject.kind).textArray(reject.fields).bool(reject.truncated).textArray(reject.reasons)
    }
    if (this.rejects.bytes >= FLUSH_BYTES) await this.guard('ingest failed on', () => this.flushRejects())
  }

  private async flushRejects(): Promise<void> {
    if (this.rejects.count > 0) await this.send(qualified(this.tables.rejectedRows), REJECT_COLUMNS, this.rejects.take())
  }

  async logDuplicates(duplicates: readonly DuplicateRecord[]): Promise<void> {
    for (const d of duplicates) {
      // An exact duplicate equals the kept row, which stays stored; a conflict keeps both versions here.
      const both = d.classification === 'conflict'
      this.duplicates.tuple(8).text(this.runId).text(d.kind).ascii(d.key, 20).text(d.source).int8(d.line).text(d.classification)
      this.duplicates.jsonbOrNull(both ? d.kept : null).jsonbOrNull(both ? d.incoming : null)
    }
    if (this.duplicates.bytes >= FLUSH_BYTES) await this.guard('ingest failed on', () => this.flushDuplicates())
  }

  private async flushDuplicates(): Promise<void> {
    if (this.duplicates.count > 0) await this.send(qualified(this.tables.duplicateRows), DUPLICATE_COLUMNS, this.duplicates.take())
  }

  storedVersions(kind: RowKind, part: number, keys: FirstOfKey): Promise<Map<number, StoredRow>> {
    return this.guard('cannot read the stored keys of', async () => {
      await this.drain()
      return storedVersionsOf(this.client, this.tables, PACKED_ROW_KIND_CODES[kind], part, keys)
    })
  }

  async *storedVehicleIds(): AsyncIterable<string> {
    const ids = await this.guard('cannot read the vehicles of', async () => {
      await this.drain()
      return queryRows<[string]>(this.client, `SELECT DISTINCT vehicle_id FROM ${qualified(this.tables.vehicleRows)} ORDER BY 1`)
    })
    for (const [vehicleId] of ids) yield vehicleId
  }

  storedRowsOf(vehicleIds: readonly string[]): Promise<Map<string, readonly Buffer[]>> {
    return this.guard('cannot read the rows of', async () => {
      await this.drain()
      return blobsOf(this.client, this.tables, vehicleIds)
    })
  }

  /** One blob of the vehicle's new rows, as they are packed, and its keys in the key index. */
  storeRows(vehicleId: string, fresh: FreshRows): Promise<void> | void {
    const id = this.rows.add(vehicleId, fresh.packed)
    for (const offset of fresh.offsets) this.rows.keyIndex.add(fresh.records, offset, id)
    if (this.rows.bytes >= FLUSH_BYTES) return this.guard('cannot store the rows of', () => this.flushRows())
  }

  private async flushRows(): Promise<void> {
    const { blobs, keys } = this.rows
    if (blobs.count > 0) await this.send(qualified(this.tables.vehicleRows), BLOB_COLUMNS, blobs.take())
    if (keys.count > 0) await this.send(qualified(this.tables.keyIndex), KEY_INDEX_COLUMNS, keys.take())
  }

  rowsStored(): Promise<void> {
    return this.guard('cannot store the rows of', async () => {
      this.rows.keyIndex.flush()
      await this.flushRows()
      await this.flushDuplicates()
      await this.drain()
    })
  }

  async saveViews(views: readonly VehicleView[]): Promise<void> {
    for (const view of views) {
      const open = view.openCycle
      this.views.tuple(7).ascii(view.vehicleId, 20).textOrNull(view.qrCode).text(view.template)
      this.views.int8OrNull(open?.startedAt ?? null).int8OrNull(open?.rideTimeS ?? null).int8OrNull(open?.revenueCents ?? null).text(view.contentHash)
      for (const claim of view.qrClaims) this.claims.tuple(3).ascii(view.vehicleId, 20).ascii(claim.qrCode, 6).text(claim.recency)
    }
    if (this.views.bytes + this.claims.bytes >= FLUSH_BYTES) await this.guard('cannot store the views of', () => this.flushViews())
  }

  /**
   * Views and claims straight into their tables in a store that had no rows
   * (no view to replace), else into temp tables merged at commit.
   */
  private async flushViews(): Promise<void> {
    let target = { views: qualified(this.tables.vehicleViews), claims: qualified(this.tables.qrClaims) }
    if (this.hasStoredRows) {
      if (this.viewTables === null) {
        await execute(
          this.client,
          `CREATE TEMP TABLE run_views ON COMMIT DROP AS SELECT * FROM ${target.views} WITH NO DATA;
           CREATE TEMP TABLE run_claims ON COMMIT DROP AS SELECT * FROM ${target.claims} WITH NO DATA`,
        )
        this.viewTables = { views: 'run_views', claims: 'run_claims' }
      }
      target = this.viewTables
    }
    if (this.views.count > 0) await this.send(target.views, VIEW_COLUMNS, this.views.take())
    if (this.claims.count > 0) await this.send(target.claims, CLAIM_COLUMNS, this.claims.take())
  }

  /**
   * The run's views replace the stored ones, and their claims the vehicles'
   * claims. The temp table is analyzed first: without statistics the planner
   * took it for ten times its size and hashed every stored claim instead
   * (the DELETE took 240 ms of a 1% batch at scale 100, 65 ms analyzed).
   */
  private async mergeViews(): Promise<void> {
    if (this.viewTables === null) return
    const views = qualified(this.tables.vehicleViews)
    const claims = qualified(this.tables.qrClaims)
    await execute(
      this.client,
      `ANALYZE run_views (vehicle_id);
       DELETE FROM ${claims} c USING run_views v WHERE c.vehicle_id = v.vehicle_id;
       INSERT INTO ${claims} SELECT * FROM run_claims;
       INSERT INTO ${views} SELECT * FROM run_views ON CONFLICT (vehicle_id) DO UPDATE SET
         qr_code = excluded.qr_code, template = excluded.template, open_started_at = excluded.open_started_at,
         open_ride_time_s = excluded.open_ride_time_s, open_revenue_cents = excluded.open_revenue_cents, content_hash = excluded.content_hash`,
    )
  }

  /**
   * Commits the run. A commit that fails is rolled back but not ended: core
   * then calls rollback(), which records the run as failed on the same
   * connection and gives it back.
   */
  async commit(report: IngestReport, meta: StoreMeta): Promise<void> {
    if (this.finished) return
    await this.guard('cannot commit the ingest on', async () => {
      await this.flushViews()
      await this.drain()
      if (this.hasStoredRows) await this.mergeViews()
      else await this.buildBulkIndexes()
      await recordRun(this.client, this.tables, report)
      await queryRows(this.client, `UPDATE ${qualified(this.tables.storeMeta)} SET as_of = $1, data_version = $2, policy = $3, next_seq = $4 WHERE id = 1`, [
        meta.asOf,
        meta.dataVersion,
        meta.policy,
        meta.nextSeq,
      ])
      await execute(this.client, 'COMMIT')
    })
    await this.end(async () => {}, 'cannot commit the ingest on')
  }

  /**
   * Rolls everything back, then records the failed run in its own small
   * transaction: on the run's connection, or on another one when the server
   * ended the run's (its transaction went with it).
   */
  rollback(report: IngestReport): Promise<void> {
    return this.end(async () => {
      await this.drain().catch(() => {})
      // On a full disk recording fails too (the rolled-back rows keep their
      // space until a vacuum, which needs room itself): the caller then has
      // the failed run's report on the error, and the store is as it was.
      if (await this.rolledBack()) await inTransaction(this.client, (client) => recordRun(client, this.tables, report))
      else await inOwnTransaction(this.pool, (client) => recordRun(client, this.tables, report))
    }, 'cannot roll the ingest back on')
  }

  /** Whether the run's transaction was rolled back on its connection; false when the server had ended the connection. */
  private async rolledBack(): Promise<boolean> {
    if (this.connection.lost() !== null) return false
    try {
      await execute(this.client, 'ROLLBACK')
      return true
    } catch (error) {
      if (this.connection.lost() !== null || isUnreachable(error)) return false
      throw error
    }
  }

  private async end(work: () => Promise<void>, what: string): Promise<void> {
    if (this.finished) return
    this.finished = true
    let failure: unknown = null
    try {
      await work()
    } catch (error) {
      failure = error
      await this.client.query('ROLLBACK').catch(() => {})
      throw classify(error, what, this.where)
    } finally {
      // A connection that failed, or that the server ended, is not given back to the pool for reuse.
      const broken = failure !== null || this.connection.lost() !== null
      this.connection.unwatch()
      this.client.release(broken ? true : undefined)
      this.onEnd()
    }
  }

  private bulkTables(): Tables[keyof Tables][] {
    return bulkTablesOf(this.tables)
  }

  /**
   * Truncates the bulk tables that are empty, so that their COPYs may write
   * rows frozen (COPY FREEZE needs a table truncated in the transaction):
   * the index builds, ANALYZE and the first reads after the run then find
   * every row visible without checking the run's transaction, and nothing
   * rewrites the 2 GB of a large first load later to set hint bits or
   * freeze it. The run's rollback gives the tables back as they were.
   */
  private async truncate(empty: Tables[keyof Tables][]): Promise<void> {
    for (const table of empty) {
      const name = qualified(table)
      await execute(this.client, `TRUNCATE ${name}`)
      this.frozen.add(name)
    }
  }

  private async dropBulkIndexes(): Promise<void> {
    for (const table of this.bulkTables()) {
      const { indexes, primaryKey } = createStatements(table)
      const schema = qualified(table).split('.')[0] as string
      for (const index of indexes) if (!LOADED_IN_ORDER.has(index.name)) await execute(this.client, `DROP INDEX IF EXISTS ${schema}."${index.name}"`)
      if (primaryKey !== null && !LOADED_IN_ORDER.has(primaryKey.constraint)) await execute(this.client, `ALTER TABLE ${qualified(table)} DROP CONSTRAINT IF EXISTS "${primaryKey.constraint}"`)
    }
  }

  /**
   * Builds the indexes a bulk load dropped, with room to sort in memory (a
   * sort that spilled to disk took about twice as long), then gathers the
   * statistics of the columns the store looks rows up by (its keys and
   * indexes): without them the planner scanned whole tables for the next
   * run's lookups by key and by vehicle (a 1% batch at scale 100 took 41 s
   * instead of a few). The other columns, the views' templates among them,
   * are left to autovacuum: sampling them took half of the ANALYZE time.
   */
  private async buildBulkIndexes(): Promise<void> {
    await execute(this.client, "SET LOCAL maintenance_work_mem = '512MB'")
    // A tenth of the default sample (3,000 rows): enough to plan the store's reads by key and vehicle,
    // a third of the commit's time at scale 10 (ANALYZE read most of the views' and rows' pages).
    await execute(this.client, 'SET LOCAL default_statistics_target = 10')
    for (const table of this.bulkTables()) {
      const { indexes, primaryKey, indexedColumns } = createStatements(table)
      if (primaryKey !== null && !LOADED_IN_ORDER.has(primaryKey.constraint)) await execute(this.client, primaryKey.add)
      for (const index of indexes) if (!LOADED_IN_ORDER.has(index.name)) await execute(this.client, index.create)
      await execute(this.client, `ANALYZE ${qualified(table)} (${indexedColumns.join(', ')})`)
    }
  }
}
