import type Database from 'better-sqlite3'
import type { IngestReport, StoreMeta } from '@vehicle-perf/core'
import { RunSpill } from './run-spill.js'
import { nextRunSeq, readMeta, recordRun } from './sqlite-runs.js'

/**
 * What both phases of one run share: the write connection inside the run's
 * transaction (BEGIN IMMEDIATE, which is also the cross-process ingest
 * lock), the run's temp files, and how the run ends.
 */
export class SqliteRun {
  readonly spill: RunSpill
  /** Small integer stored on every blob instead of the run id. */
  readonly runSeq: number
  /** The store's meta at the start: its nextSeq is the run's first seq (a run's seqs are consecutive from it). */
  readonly startMeta: StoreMeta
  /** The store's secret seed of key hashes (store_meta.key_seed). */
  readonly keySeed: number
  /** False in an empty store: no key index to read, no stored rows to join. */
  readonly storeHasRows: boolean
  private finished = false

  constructor(
    readonly db: Database.Database,
    readonly runId: string,
    readonly startedAt: Date,
    private readonly release: () => void,
    tempDir?: string,
  ) {
    this.spill = new RunSpill(tempDir)
    this.runSeq = nextRunSeq(db)
    this.startMeta = readMeta(db)
    this.keySeed = db.prepare('SELECT key_seed FROM store_meta WHERE id = 1').pluck().get() as number
    this.storeHasRows = db.prepare('SELECT EXISTS (SELECT 1 FROM vehicle_rows)').pluck().get() === 1
  }

  /** Writes the run record and the new meta, commits, and ends the run. */
  commit(report: IngestReport, meta: StoreMeta): void {
    this.finish(() => {
      recordRun(this.db, report, this.runSeq)
      this.db
        .prepare('UPDATE store_meta SET as_of = ?, data_version = ?, policy = ?, next_seq = ? WHERE id = 1')
        .run(meta.asOf, meta.dataVersion, meta.policy, meta.nextSeq)
      this.db.exec('COMMIT')
    })
  }

  /** Rolls everything back, then records the failed run in its own small transaction. */
  rollback(report: IngestReport): void {
    this.finish(() => {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
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
      this.spill.remove()
      this.release()
    }
  }
}
