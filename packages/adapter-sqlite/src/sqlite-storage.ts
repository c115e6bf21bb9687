import { existsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import Database from 'better-sqlite3'
import type { KeyChunk, StoredRow, LogFilter, LoggedDuplicate, LoggedReject, RejectReason, StagingSession, StorageAdapter, StoredView, StoreMeta, StoreStats, VehicleKey } from '@vehicle-perf/core'
import { isVehiclePerfError, storeStatsFrom } from '@vehicle-perf/core'
import { migrate } from './migrations.js'
import { SqliteRun } from './sqlite-run.js'
import { createSpilledRun, removeOrphanedSpills } from '@vehicle-perf/core/spilled-run'
import { unpackRecords } from '@vehicle-perf/core/packed-rows'
import { duplicatePages, rejectPages } from './sqlite-logs.js'
import { isBusyError, sqliteError } from './sqlite-errors.js'
import { readMeta } from './sqlite-runs.js'
import { inWalMode, leaveWal, returnToWal, storeIsEmpty } from './first-ingest.js'

type SqlValue = string | number | bigint | Buffer | null

export interface SqliteStorageOptions {
  /** Path of the database file; created when missing. */
  filename: string
  /** How long an ingest waits for another one (any process) to finish before failing with `store_busy`. Default 5000 ms. */
  lockTimeoutMs?: number
  /** SQLite page cache of the write connection, in MiB (SQLite sorts use as much again). Default 64. */
  cacheSizeMb?: number
  /** SQLite page cache of the read connection (lookups), in MiB. Default 64. */
  readCacheMb?: number
  /** Open for lookups only (a server next to a separate ingest process). */
  readonly?: boolean
  /**
   * Lookups and meta reads share one WAL read snapshot, renewed when it is
   * older than this many ms. Each read then takes no lock (on this machine
   * the per-statement locking syscalls cost more than the read itself), and a
   * finished ingest is seen within this bound. Default 0: every read sees the
   * latest commit. `vehicle-perf serve` uses 10.
   */
  readSnapshotMs?: number
  /** Where a run spills its rows while it resolves them (about the run's CSV size at peak). Default: the OS temp folder. */
  tempDir?: string
  /**
   * The first ingest into an empty store, when no other connection has it
   * open, writes with a rollback journal instead of the WAL: each page once
   * instead of twice (scale 100: a median 51 s instead of 57-62 s). Connections opened
   * during that run get `store_busy`. Default true; false keeps every run in
   * WAL mode. See first-ingest.ts.
   */
  bulkFirstIngest?: boolean
}

const LOCK_RETRY_MS = 20
/** How often, at most, a reader checks that its path still names the file it has open. */
const FILE_CHECK_MS = 1000

/**
 * The page size of a new store. Views (~1.9 KB) and a vehicle's rows of a run
 * (~2 KB) rarely fit two to a 4 KiB page: a quarter of those pages stayed
 * empty, and every byte is written twice (WAL, then checkpoint). At scale 100
 * 16 KiB pages write 2.09 GB instead of 2.50 GB and ingest in 57-58 s
 * instead of 66 s. An existing store keeps the page size it was made with.
 */
const NEW_STORE_PAGE_SIZE = 16384

/**
 * BEGIN IMMEDIATE (or EXCLUSIVE) without SQLite's busy handler: that handler
 * sleeps synchronously and would freeze the event loop (and any server or
 * other ingest sharing the process) while another process holds the lock.
 */
async function beginImmediate(db: Database.Database, timeoutMs: number, lock: 'IMMEDIATE' | 'EXCLUSIVE' = 'IMMEDIATE'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      db.exec(`BEGIN ${lock}`)
      return
    } catch (error) {
      if (!isBusyError(error) || Date.now() >= deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS))
    }
  }
}

/**
 * A first ingest killed mid-run (first-ingest.ts) leaves a hot rollback
 * journal, which only a connection that may write can play back: a
 * read-only one fails with "attempt to write a readonly database", and a
 * server on the store would answer 503 until some writer came. So a reader
 * that finds a journal first opens the store for writing, for one read:
 * SQLite plays a hot journal back then (and leaves the journal of a run
 * still going alone, that read failing busy). Without write access the
 * reader's own error stands.
 */
function undoInterruptedRun(filename: string): void {
  if (!existsSync(`${filename}-journal`)) return
  let db: Database.Database | null = null
  try {
    db = new Database(filename, { fileMustExist: true })
    db.pragma('busy_timeout = 0')
    db.prepare('SELECT count(*) FROM sqlite_schema').get()
  } catch {
    // A run still going (busy), or no write access: the read-only open says what it can.
  } finally {
    db?.close()
  }
}

/** Opens the store for writing to move the WAL into it (best effort: busy or no write access leaves it for the next writer). */
function checkpointAndClose(filename: string): void {
  let db: Database.Database | null = null
  try {
    db = new Database(filename, { fileMustExist: true })
    db.pragma('busy_timeout = 0')
    db.pragma('wal_checkpoint(TRUNCATE)')
  } catch {
    // Another connection is busy, or this process may not write: the next writer checkpoints.
  } finally {
    db?.close()
  }
}

const VIEW_COLUMNS = `v.vehicle_id, v.qr_code, v.template, v.open_started_at, v.open_ride_time_s, v.open_revenue_cents, v.content_hash, m.as_of, m.data_version`

/**
 * The embedded default store. Two connections to one file in WAL mode: the
 * write connection holds an ingest's single transaction, the read connection
 * serves lookups from the last committed state, so readers never see a run
 * half-done and never wait for one.
 */
export function createSqliteStorage(options: SqliteStorageOptions): StorageAdapter {
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000
  let writer: Database.Database | null = null
  let reader: Database.Database | null = null
  // Ingests through one adapter queue here; across processes BEGIN IMMEDIATE queues them.
  let ingestQueue: Promise<void> = Promise.resolve()

  let sweptSpills = false
  const open = (readonly: boolean): Database.Database => {
    // The temp folders of runs killed before they could remove them (gigabytes, after a large run) go with the next open.
    if (!sweptSpills) {
      sweptSpills = true
      removeOrphanedSpills(options.tempDir ?? tmpdir())
    }
    if (readonly && options.readonly && !existsSync(options.filename)) {
      throw sqliteError('store_unreachable', `no store at ${options.filename}: ingest data into it first`)
    }
    if (readonly) undoInterruptedRun(options.filename)
    let db: Database.Database | null = null
    try {
      db = new Database(options.filename, { readonly, fileMustExist: readonly })
      // Waits are done asynchronously in beginImmediate; in WAL mode nothing else blocks.
      db.pragma('busy_timeout = 0')
      // Lookups at scale walk B-trees whose inner pages alone outgrow SQLite's
      // 2 MB default (measured: more rps at 420,000 vehicles in 4 of 4 rounds).
      if (readonly) db.pragma(`cache_size = ${-1024 * (options.readCacheMb ?? 64)}`)
      if (!readonly) {
        // Only takes effect while the file is empty: before the first table and before WAL mode.
        db.pragma(`page_size = ${NEW_STORE_PAGE_SIZE}`)
        db.pragma('journal_mode = WAL')
        db.pragma('synchronous = NORMAL')
        // After a checkpoint resets it, the WAL is cut back to this size rather than keeping its largest.
        db.pragma(`journal_size_limit = ${64 << 20}`)
        db.pragma(`cache_size = ${-1024 * (options.cacheSizeMb ?? 64)}`)
        // The per-file SAVEPOINT keeps a sub-journal of every page the file
        // touches: on disk, or memory would grow with the size of a file.
        db.pragma('temp_store = FILE')
      }
      return db
    } catch (error) {
      db?.close()
      throw sqliteError(isBusyError(error) ? 'store_busy' : 'store_unreachable', `cannot open ${options.filename}: ${(error as Error).message}`, error)
    }
  }
  const busyMessage = `another ingest is running on ${options.filename} (waited ${lockTimeoutMs} ms); try again when it has finished`
  /**
   * The write connection for a migration or an ingest. A store that another
   * ingest holds exclusively (a first ingest, first-ingest.ts) cannot even
   * be opened: that is waited for too, asynchronously, up to lockTimeoutMs,
   * like the lock itself, and fails the same way.
   */
  const openWriter = async (): Promise<Database.Database> => {
    if (options.readonly) throw sqliteError('invalid_option', `${options.filename} is open read-only`)
    const deadline = Date.now() + lockTimeoutMs
    for (;;) {
      if (writer !== null) return writer
      try {
        writer = open(false)
        return writer
      } catch (error) {
        if (!(isVehiclePerfError(error) && error.code === 'store_busy')) throw error
        if (Date.now() >= deadline) throw sqliteError('store_busy', busyMessage, error.cause)
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS))
      }
    }
  }
  const writeDb = (): Database.Database => {
    if (options.readonly) throw sqliteError('invalid_option', `${options.filename} is open read-only`)
    writer ??= open(false)
    return writer
  }
  /** The file the read connection has open: device and inode, to notice a store replaced at the same path. */
  let readerFile: string | null = null
  let fileCheckedAt = -Infinity
  const fileIdentity = (): string | null => {
    try {
      const { dev, ino } = statSync(options.filename)
      return `${dev}:${ino}`
    } catch {
      return null
    }
  }
  const closeReader = (): void => {
    dropSnapshot()
    reader?.close()
    reader = null
    readerFile = null
    lookupById = null
    lookupByQr = null
  }
  /**
   * The read connection. At most once a second it checks that the path
   * still names the file it has open: a store deleted and ingested anew at
   * the same path (or moved over it) is opened afresh, and a store gone is
   * `store_unreachable`, instead of answering from the old file forever.
   */
  const readDb = (): Database.Database => {
    const now = performance.now()
    if (reader !== null && now - fileCheckedAt >= FILE_CHECK_MS) {
      fileCheckedAt = now
      if (fileIdentity() !== readerFile) closeReader()
    }
    if (reader === null) {
      if (!options.readonly) writeDb()
      reader = open(true)
      readerFile = fileIdentity()
      fileCheckedAt = now
    }
    return reader
  }

  const snapshotMs = options.readSnapshotMs ?? 0
  let snapshotAt = -Infinity
  /** The read connection, inside a snapshot no older than readSnapshotMs (when set). */
  const freshReadDb = (): Database.Database => {
    const db = readDb()
    if (snapshotMs > 0) {
      const now = performance.now()
      if (now - snapshotAt >= snapshotMs) {
        if (db.inTransaction) db.exec('COMMIT')
        db.exec('BEGIN')
        snapshotAt = now
        // An idle server must not keep its snapshot: a held read mark stops
        // every checkpoint, and the WAL grows run after run.
        const started = now
        setTimeout(() => {
          if (snapshotAt === started) dropSnapshot()
        }, snapshotMs).unref()
      }
    }
    return db
  }
  const dropSnapshot = (): void => {
    snapshotAt = -Infinity
    if (reader?.inTransaction) reader.exec('ROLLBACK')
  }

  /** A read's failure: busy while a first ingest holds the store (see first-ingest.ts), unreachable otherwise. */
  const readError = (error: unknown, what: string): Error => {
    if (isVehiclePerfError(error)) return error
    if (isBusyError(error)) return sqliteError('store_busy', `${what} ${options.filename}: an ingest holds the store; try again when it has finished`, error)
    return sqliteError('store_unreachable', `${what} ${options.filename}: ${(error as Error).message}`, error)
  }

  /** Yields a log's rows page by page (the connection opened at the first), a failed read as one of our errors. */
  async function* readLog<T>(pagesOf: (db: Database.Database) => Generator<T[]>): AsyncIterable<T> {
    let pages: Generator<T[]> | null = null
    for (;;) {
      let next: IteratorResult<T[]>
      try {
        pages ??= pagesOf(readDb())
        next = pages.next()
      } catch (error) {
        throw readError(error, 'cannot read the logs of')
      }
      if (next.done) return
      yield* next.value
    }
  }

  let lookupById: Database.Statement | null = null
  let lookupByQr: Database.Statement | null = null

  const toView = (row: Record<string, SqlValue> | undefined): StoredView | null => {
    if (row === undefined) return null
    return {
      vehicleId: row.vehicle_id as string,
      qrCode: row.qr_code as string | null,
      template: row.template as string,
      openCycle:
        row.open_started_at === null
          ? null
          : { startedAt: row.open_started_at as number, rideTimeS: row.open_ride_time_s as number, revenueCents: row.open_revenue_cents as number },
      contentHash: row.content_hash as string,
      asOf: row.as_of as number | null,
      dataVersion: row.data_version as number,
    }
  }

  const adapter: StorageAdapter = {
    name: 'sqlite',
    capabilities: { packedRows: true },

    async migrate() {
      const db = await openWriter()
      await ingestQueue
      try {
        await beginImmediate(db, lockTimeoutMs)
      } catch (error) {
        throw sqliteError(isBusyError(error) ? 'store_busy' : 'store_unreachable', `cannot migrate ${options.filename}: ${(error as Error).message}`, error)
      }
      try {
        migrate(db, options.filename)
        db.exec('COMMIT')
      } finally {
        if (db.inTransaction) db.exec('ROLLBACK')
      }
    },

    async beginIngest(run): Promise<StagingSession> {
      const db = await openWriter()
      let release!: () => void
      const previous = ingestQueue
      ingestQueue = new Promise<void>((resolve) => (release = resolve))
      await previous
      let withoutWal = false
      try {
        if (!inWalMode(db)) returnToWal(db)
        await beginImmediate(db, lockTimeoutMs)
        if ((options.bulkFirstIngest ?? true) && storeIsEmpty(db)) {
          // The journal mode cannot change inside a transaction.
          db.exec('COMMIT')
          withoutWal = leaveWal(db)
          await beginImmediate(db, lockTimeoutMs, withoutWal ? 'EXCLUSIVE' : 'IMMEDIATE')
        }
      } catch (error) {
        if (withoutWal) returnToWal(db)
        release()
        if (isBusyError(error)) throw sqliteError('store_busy', busyMessage, error)
        throw sqliteError('store_unreachable', `cannot start an ingest on ${options.filename}: ${(error as Error).message}`, error)
      }
      const finished = withoutWal
        ? () => {
            returnToWal(db)
            release()
          }
        : release
      const backend = new SqliteRun(db, run.runId, run.startedAt, finished, options.filename)
      return createSpilledRun(backend, { tempDir: options.tempDir, keySeed: backend.keySeed() })
    },

    async vehicleRows(vehicleId: string): Promise<StoredRow[]> {
      try {
        const rows: StoredRow[] = []
        // The vehicle's blobs, one per run that touched it: one indexed range read.
        const blobs = freshReadDb().prepare('SELECT records FROM vehicle_rows WHERE vehicle_id = ? ORDER BY id').pluck().all(vehicleId) as Buffer[]
        for (const records of blobs) unpackRecords(records, vehicleId, rows)
        return rows
      } catch (error) {
        dropSnapshot()
        throw readError(error, 'cannot read the rows of a vehicle in')
      }
    },

    async lookup(key: VehicleKey): Promise<StoredView | null> {
      try {
        const db = freshReadDb()
        if (key.type === 'vehicle_id') {
          lookupById ??= db.prepare(`SELECT ${VIEW_COLUMNS} FROM vehicle_views v, store_meta m WHERE v.vehicle_id = ? AND m.id = 1`)
          return toView(lookupById.get(key.value) as Record<string, SqlValue> | undefined)
        }
        lookupByQr ??= db.prepare(`SELECT ${VIEW_COLUMNS} FROM vehicle_views v, store_meta m
          WHERE v.vehicle_id = (SELECT vehicle_id FROM qr_claims WHERE qr_code = ? ORDER BY recency DESC LIMIT 1) AND m.id = 1`)
        return toView(lookupByQr.get(key.value) as Record<string, SqlValue> | undefined)
      } catch (error) {
        dropSnapshot()
        throw readError(error, 'lookup failed on')
      }
    },

    async meta(): Promise<StoreMeta> {
      try {
        return readMeta(freshReadDb())
      } catch (error) {
        dropSnapshot()
        throw readError(error, 'cannot read')
      }
    },

    async *listKeys(chunkSize: number): AsyncIterable<KeyChunk> {
      const chunk = (sql: string, after: string): { dataVersion: number; values: string[] } => {
        try {
          const db = freshReadDb()
          // The version and the keys are read in one snapshot.
          const own = !db.inTransaction
          if (own) db.exec('BEGIN')
          try {
            return { dataVersion: readMeta(db).dataVersion, values: db.prepare(sql).pluck().all(after, chunkSize) as string[] }
          } finally {
            if (own) db.exec('COMMIT')
          }
        } catch (error) {
          dropSnapshot()
          throw readError(error, 'cannot list keys of')
        }
      }
      const listings = [
        { type: 'vehicle_id' as const, sql: 'SELECT vehicle_id FROM vehicle_views WHERE vehicle_id > ? ORDER BY vehicle_id LIMIT ?' },
        { type: 'qr_code' as const, sql: 'SELECT DISTINCT qr_code FROM qr_claims WHERE qr_code > ? ORDER BY qr_code LIMIT ?' },
      ]
      for (const { type, sql } of listings) {
        let after = ''
        for (;;) {
          const { dataVersion, values } = chunk(sql, after)
          if (values.length === 0) break
          yield { dataVersion, keys: values.map((value) => ({ type, value })) }
          after = values[values.length - 1] as string
        }
      }
    },

    async *listRejects(filter: LogFilter = {}): AsyncIterable<LoggedReject> {
      yield* readLog((db) => rejectPages(db, filter))
    },

    async *listDuplicates(filter: LogFilter = {}): AsyncIterable<LoggedDuplicate> {
      yield* readLog((db) => duplicatePages(db, filter))
    },

    async stats(): Promise<StoreStats> {
      try {
        const db = readDb()
        const last = db.prepare(`SELECT run_id, finished_at FROM ingest_runs ORDER BY started_at DESC LIMIT 1`).get() as { run_id: string; finished_at: string | null } | undefined
        const reasons: Partial<Record<RejectReason, number>> = {}
        for (const row of db.prepare('SELECT reasons, count(*) AS n FROM rejected_rows GROUP BY reasons').all() as { reasons: string; n: number }[]) {
          for (const reason of row.reasons.split(',') as RejectReason[]) reasons[reason] = (reasons[reason] ?? 0) + row.n
        }
        return storeStatsFrom({
          runs: db.prepare(`SELECT status, count(*) AS n FROM ingest_runs GROUP BY status`).all() as { status: string; n: number }[],
          lastRun: last === undefined ? null : { runId: last.run_id, finishedAt: last.finished_at },
          // Rows are stored packed: their counts are the accepted rows of the runs that succeeded.
          rows: db
            .prepare(`SELECT f.kind, coalesce(sum(f.accepted), 0) AS n FROM ingest_files f JOIN ingest_runs r ON r.run_id = f.run_id WHERE r.status = 'succeeded' GROUP BY f.kind`)
            .all() as { kind: string; n: number }[],
          vehicles: db.prepare('SELECT count(*) FROM vehicle_views').pluck().get() as number,
          duplicates: db.prepare(`SELECT classification, count(*) AS n FROM duplicate_rows GROUP BY classification`).all() as { classification: string; n: number }[],
          rejectedRows: db.prepare('SELECT count(*) FROM rejected_rows').pluck().get() as number,
          reasons,
          meta: readMeta(db),
        })
      } catch (error) {
        throw readError(error, 'cannot read the stats of')
      }
    },

    async close() {
      await ingestQueue
      dropSnapshot()
      reader?.close()
      writer?.close()
      // A read-only store cannot checkpoint: the last connection to close
      // with write access moves the WAL into the store and removes it.
      if (options.readonly && reader !== null) checkpointAndClose(options.filename)
      reader = null
      writer = null
      lookupById = null
      lookupByQr = null
    },
  }
  return adapter
}
