import { tmpdir } from 'node:os'
import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import { asc, countDistinct, desc, eq, gt, sql } from 'drizzle-orm'
import { storeStatsFrom, type StoredRow, type KeyChunk, type LogFilter, type LoggedDuplicate, type LoggedReject, type RejectReason, type StagingSession, type StorageAdapter, type StoredView, type StoreStats, type VehicleKey } from '@vehicle-perf/core'
import { createSpilledRun, removeOrphanedSpills } from '@vehicle-perf/core/spilled-run'
import { checkPackedRowsFormat, migrate, SCHEMA_VERSION, schemaVersion } from './migrations.js'
import { queryRows, type PostgresPool } from './pg-client.js'
import { classify, isConnectionEnded, postgresError } from './postgres-errors.js'
import { listDuplicates, listRejects } from './postgres-logs.js'
import { PostgresRun } from './postgres-run.js'
import { readMeta } from './postgres-runs.js'
import { qualified, tablesIn } from './schema.js'
import { rowsOfVehicle } from './vehicle-blobs.js'
import { createLookupBatcher, DEFAULT_LOOKUP_BATCH_KEYS } from './lookup-batcher.js'
import { readViewBatch, viewStatements } from './view-reads.js'

export interface PostgresStorageOptions {
  /** A connection string: the adapter opens a pool of its own, and closes it on close(). */
  connectionString?: string
  /** Or the host's `pg.Pool`, shared with its own queries: the adapter never closes it. */
  pool?: PostgresPool
  /** The schema holding the tables (created by migrate). Default `vehicle_perf`. */
  schema?: string
  /**
   * Read from a hot standby (or any read-only server): lookups, meta, keys
   * and stats only; migrate() checks the schema is there, and beginIngest
   * is refused. Ingest on the primary.
   */
  readOnly?: boolean
  /** How long an ingest waits for another one (any process, any machine) before failing with `store_busy`. Default 5000 ms. */
  lockTimeoutMs?: number
  /** On the adapter's own pool: a read that takes longer is cancelled (store_unreachable, HTTP 503). Default 5000 ms. */
  statementTimeoutMs?: number
  /** On the adapter's own pool: at most this many connections. Default 10. */
  maxConnections?: number
  /**
   * Concurrent lookups are read together, at most this many keys in one
   * statement (one round trip; see createLookupBatcher). Default 256; 1
   * sends each key alone (on Citus, a single-shard query).
   */
  lookupBatchKeys?: number
  /** Where a run spills its rows while it settles their keys (about the run's CSV size at peak). Default: the OS temp folder. */
  tempDir?: string
  /**
   * The connections go through a transaction-mode pooler (PgBouncer's
   * `pool_mode = transaction`, and poolers like it), which hands each
   * transaction to any server connection: lookups use unnamed statements
   * (a named one may be missing on the next connection, or already there),
   * and the adapter's own pool sends no settings at connect (PgBouncer
   * refuses `statement_timeout` and `lock_timeout` as startup parameters).
   * Bound reads on the role instead (README, "Behind a connection pooler").
   * A run and a migration set their own timeouts in their transaction
   * either way. Default false.
   */
  transactionPooler?: boolean
}

const STORE = 'postgres'

/** A host-and-port for messages, without the password a connection string may hold. */
function serverOf(options: PostgresStorageOptions): string {
  if (options.connectionString === undefined) return "the host's pool"
  try {
    const url = new URL(options.connectionString)
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`
  } catch {
    return 'the server'
  }
}

/** A name usable in prepared statement names (one set per schema on a shared pool). */
function statementPrefix(schema: string): string {
  return `vp_${schema.replace(/[^A-Za-z0-9_]/g, '_')}_`
}

/**
 * The PostgreSQL store: typed row tables, precomputed views, logs, all in
 * one schema; a run is one transaction under an advisory lock; bulk writes
 * go in binary COPY, keys are settled by core's spilled run. Lookups are one
 * indexed read; any number of HTTP nodes can read a hot standby of it
 * (`readOnly`).
 */
export function createPostgresStorage(options: PostgresStorageOptions): StorageAdapter {
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw postgresError('invalid_option', 'give either a connectionString or a pool')
  }
  const schema = options.schema ?? 'vehicle_perf'
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw postgresError('invalid_option', `schema ${JSON.stringify(schema)}: expected a plain identifier (letters, digits, _)`)
  const where = `schema ${schema} on ${serverOf(options)}`
  const owned = options.pool === undefined
  const maxConnections = options.maxConnections ?? 10
  const pool: pg.Pool = owned
    ? new pg.Pool({
        connectionString: options.connectionString,
        max: maxConnections,
        ...(options.transactionPooler === true
          ? {}
          : {
              statement_timeout: options.statementTimeoutMs ?? 5000,
              // A read that would wait for a table lock (a first ingest builds the indexes it dropped) fails fast as store_busy.
              lock_timeout: 1000,
            }),
        connectionTimeoutMillis: options.statementTimeoutMs ?? 5000,
        idleTimeoutMillis: 30_000,
      })
    : (options.pool as unknown as pg.Pool)
  // An idle connection the server drops (a restart) is reported here; the next query reconnects.
  if (owned) pool.on('error', () => {})
  const tables = tablesIn(schema)
  const db = drizzle({ client: pool })
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000
  // Named (prepared once per connection) statements for the hot reads, unless a pooler may move us between connections.
  const prefix = options.transactionPooler === true ? null : statementPrefix(schema)
  let running = 0
  let idle: (() => void) | null = null
  let closed = false

  const view = tables.vehicleViews
  const meta = tables.storeMeta
  const claims = tables.qrClaims
  const viewReads = viewStatements(tables, prefix)
  const lookupBatchKeys = options.lookupBatchKeys ?? DEFAULT_LOOKUP_BATCH_KEYS
  if (!Number.isInteger(lookupBatchKeys) || lookupBatchKeys < 1) throw postgresError('invalid_option', `lookupBatchKeys ${lookupBatchKeys}: expected a whole number >= 1`)
  const lookupBatched = createLookupBatcher((vehicleIds, qrCodes) => readViewBatch(pool, viewReads, vehicleIds, qrCodes), maxConnections, lookupBatchKeys)
  const metaQuery = db.select().from(meta).where(eq(meta.id, 1))
  const metaRow = prefix === null ? metaQuery : metaQuery.prepare(`${prefix}meta`)
  const dataVersionNow = sql<number>`(SELECT ${meta.dataVersion} FROM ${meta} WHERE ${meta.id} = 1)`.mapWith(Number)

  let sweptSpills = false
  const open = (): void => {
    if (closed) throw postgresError('store_unreachable', `the store on ${where} is closed`)
    // The temp folders of runs killed before they could remove them go with the next use of the store.
    if (!sweptSpills) {
      sweptSpills = true
      removeOrphanedSpills(options.tempDir ?? tmpdir())
    }
  }
  // A read changes nothing: one whose connection the server ended (a
  // terminated backend, a failover, a pooler restart) is tried again before
  // anyone sees an error. The pool may hand out other connections the
  // server ended at the same moment, not yet noticed (each is dropped when
  // it fails): so up to one try per pooled connection, and one new.
  const endedConnectionTries = maxConnections + 1
  const read = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    open()
    for (let tries = 1; ; tries++) {
      try {
        return await work()
      } catch (error) {
        if (tries >= endedConnectionTries || !isConnectionEnded(error)) throw classify(error, what, where)
      }
    }
  }

  return {
    name: STORE,
    capabilities: { packedRows: true },

    async migrate() {
      open()
      if (options.readOnly) {
        const version = await read('cannot read', () => schemaVersion(pool, tables))
        if (version === 0) throw postgresError('store_unreachable', `no vehicle-perf store in ${where}: ingest into it first (vehicle-perf ingest creates it), or check the schema`)
        if (version !== SCHEMA_VERSION) {
          throw postgresError('store_unreachable', `${where} has schema ${version}, this adapter needs ${SCHEMA_VERSION}: migrate the primary first (vehicle-perf ingest does)`)
        }
        await read('cannot read', () => checkPackedRowsFormat(pool, tables, where))
        return
      }
      await migrate(pool, schema, tables, where)
    },

    async beginIngest(run): Promise<StagingSession> {
      open()
      if (options.readOnly) throw postgresError('invalid_option', `${where} is open read-only (a standby): ingest on the primary`)
      running++
      const ended = (): void => {
        running--
        if (running === 0) idle?.()
      }
      const backend = await PostgresRun.begin(pool, tables, run, lockTimeoutMs, where, ended)
      try {
        // The store's own seed: its key index is cut by the run's key hashes.
        return await createSpilledRun(backend, { tempDir: options.tempDir, keySeed: backend.keySeed })
      } catch (error) {
        await backend.rollback({ run_id: run.runId, status: 'failed', started_at: run.startedAt.toISOString(), finished_at: new Date().toISOString(), as_of: null, policy: 'recent', files: [], vehicles_refreshed: 0, data_version: 0, totals: { files: 0, failed_files: 0, rows_read: 0, accepted: 0, duplicates: { exact: 0, conflict: 0 }, rejected: { rows: 0, reasons: {} } } }).catch(() => {})
        throw error
      }
    },

    vehicleRows(vehicleId: string): Promise<StoredRow[]> {
      return read('cannot read the rows of a vehicle in', () => rowsOfVehicle(pool, tables, vehicleId))
    },

    lookup(key: VehicleKey): Promise<StoredView | null> {
      // Concurrent lookups share one statement (one snapshot): see createLookupBatcher.
      return read('lookup failed on', () => lookupBatched(key))
    },

    meta() {
      return read('cannot read', async () => {
        const [row] = await metaRow.execute()
        if (row === undefined) throw postgresError('store_unreachable', `${where} has no store meta: run migrate() first`)
        return { asOf: row.asOf, dataVersion: row.dataVersion, policy: row.policy as 'recent' | 'revenue', nextSeq: row.nextSeq }
      })
    },

    async *listKeys(chunkSize: number): AsyncIterable<KeyChunk> {
      // Each chunk reads its keys and the data version in one statement (one snapshot).
      let after = ''
      for (;;) {
        const rows = await read('cannot list keys of', () =>
          db.select({ dataVersion: dataVersionNow, value: view.vehicleId }).from(view).where(gt(view.vehicleId, after)).orderBy(asc(view.vehicleId)).limit(chunkSize),
        )
        if (rows.length === 0) break
        yield { dataVersion: rows[0]?.dataVersion as number, keys: rows.map((row) => ({ type: 'vehicle_id' as const, value: row.value })) }
        after = rows[rows.length - 1]?.value as string
      }
      after = ''
      for (;;) {
        const rows = await read('cannot list keys of', () =>
          db.selectDistinct({ dataVersion: dataVersionNow, value: claims.qrCode }).from(claims).where(gt(claims.qrCode, after)).orderBy(asc(claims.qrCode)).limit(chunkSize),
        )
        if (rows.length === 0) break
        yield { dataVersion: rows[0]?.dataVersion as number, keys: rows.map((row) => ({ type: 'qr_code' as const, value: row.value })) }
        after = rows[rows.length - 1]?.value as string
      }
    },

    listRejects(filter: LogFilter = {}): AsyncIterable<LoggedReject> {
      return listRejects(db, tables, read, filter)
    },

    listDuplicates(filter: LogFilter = {}): AsyncIterable<LoggedDuplicate> {
      return listDuplicates(db, tables, read, filter)
    },

    stats(): Promise<StoreStats> {
      return read('cannot read the stats of', async () => {
        const runs = tables.ingestRuns
        const files = tables.ingestFiles
        const byStatus = await db.select({ status: runs.status, n: sql<number>`count(*)`.mapWith(Number) }).from(runs).groupBy(runs.status)
        const [last] = await db.select({ runId: runs.runId, finishedAt: runs.finishedAt }).from(runs).orderBy(desc(runs.startedAt)).limit(1)
        // Rows are counted from the accepted rows of the runs that succeeded: vehicle_rows stays untouched (a first ingest holds it).
        const stored = await db
          .select({ kind: files.kind, n: sql<number>`coalesce(sum(${files.accepted}), 0)`.mapWith(Number) })
          .from(files)
          .innerJoin(runs, eq(runs.runId, files.runId))
          .where(eq(runs.status, 'succeeded'))
          .groupBy(files.kind)
        const [vehicles] = await db.select({ n: countDistinct(view.vehicleId) }).from(view)
        const duplicates = await db
          .select({ classification: tables.duplicateRows.classification, n: sql<number>`count(*)`.mapWith(Number) })
          .from(tables.duplicateRows)
          .groupBy(tables.duplicateRows.classification)
        const [rejected] = await queryRows<[number]>(pool, `SELECT count(*) FROM ${qualified(tables.rejectedRows)}`)
        const reasons: Partial<Record<RejectReason, number>> = {}
        for (const [reason, n] of await queryRows<[RejectReason, number]>(pool, `SELECT reason, count(*) FROM ${qualified(tables.rejectedRows)}, unnest(reasons) AS reason GROUP BY reason`)) {
          reasons[reason] = n
        }
        return storeStatsFrom({
          runs: byStatus,
          lastRun: last ?? null,
          rows: stored,
          vehicles: vehicles?.n ?? 0,
          duplicates,
          rejectedRows: rejected?.[0] ?? 0,
          reasons,
          meta: await readMeta(pool, tables),
        })
      })
    },

    /**
     * How far a standby is behind its primary: 0 when it has replayed all it
     * received, else the time since the last transaction it replayed; null on
     * a primary.
     */
    replicaLagMs(): Promise<number | null> {
      return read('cannot read the replication state of', async () => {
        const [[lag]] = (await queryRows<[number | null]>(
          pool,
          `SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
             WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
             ELSE round(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::int8 END`,
        )) as [[number | null]]
        return lag
      })
    },

    async close() {
      if (closed) return
      closed = true
      if (running > 0) await new Promise<void>((resolve) => (idle = resolve))
      if (owned) await pool.end()
    },
  }
}
