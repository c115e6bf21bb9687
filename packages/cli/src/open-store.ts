import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import type { StorageAdapter } from '@vehicle-perf/core'
import { UsageError } from './cli-errors.js'

export const DEFAULT_DB = 'sqlite:./vehicle-perf.db'

/** The `--db` option, the same on every command that opens a store. */
export const DB_ARG = {
  type: 'string',
  description: 'Store: sqlite:PATH (default) or postgres://user@host/db (?schema=NAME; &pooler=transaction behind PgBouncer in transaction mode)',
  default: DEFAULT_DB,
} as const

export type StoreLocation =
  | { kind: 'sqlite'; /** The database file. */ target: string }
  | {
      kind: 'postgres'
      /** The connection URL, without the `schema` and `pooler` parameters. */
      target: string
      schema: string | undefined
      /** `?pooler=transaction`: the URL is a transaction-mode pooler's (PgBouncer), see the adapter's `transactionPooler`. */
      transactionPooler: boolean
    }

/**
 * `sqlite:PATH`, `sqlite://PATH` or a plain path; `postgres://...` or
 * `postgresql://...`, with an optional `?schema=NAME` (default
 * `vehicle_perf`) and `pooler=transaction` (the URL is PgBouncer's, in
 * transaction mode). Any other URL scheme is a usage error, not a file name.
 */
export function parseStoreLocation(db: string): StoreLocation {
  if (/^postgres(ql)?:\/\//.test(db)) {
    let url: URL
    try {
      url = new URL(db)
    } catch {
      throw new UsageError(`--db ${db}: not a valid PostgreSQL URL (example: --db postgres://user@host:5432/db?schema=vehicle_perf)`)
    }
    const schema = url.searchParams.get('schema') ?? undefined
    const pooler = url.searchParams.get('pooler')
    if (pooler !== null && pooler !== 'transaction') {
      throw new UsageError(`--db ...?pooler=${pooler}: expected pooler=transaction (a transaction-mode pooler such as PgBouncer), or no pooler parameter`)
    }
    url.searchParams.delete('schema')
    url.searchParams.delete('pooler')
    return { kind: 'postgres', target: url.toString(), schema, transactionPooler: pooler === 'transaction' }
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(db)?.[1]
  if (scheme !== undefined && scheme !== 'sqlite') {
    throw new UsageError(`--db ${db}: unknown store scheme "${scheme}": expected sqlite:PATH or postgres://...`)
  }
  const path = db.replace(/^sqlite:(\/\/)?/, '')
  if (path === '') throw new UsageError(`--db ${db}: no database file given (example: --db sqlite:./vehicle-perf.db)`)
  return { kind: 'sqlite', target: resolve(path) }
}

/**
 * Opens a store. An ingest migrates it (creating it when new); `readonly`
 * opens it for reading only: a SQLite file read-only, a PostgreSQL schema
 * as a reader (a hot standby works), checked to be there.
 */
export async function openStore(db: string, options: { readonly?: boolean; readSnapshotMs?: number; readCacheMb?: number } = {}): Promise<StorageAdapter> {
  const location = parseStoreLocation(db)
  if (location.kind === 'postgres') {
    const adapter = createPostgresStorage({ connectionString: location.target, schema: location.schema, readOnly: options.readonly, transactionPooler: location.transactionPooler })
    try {
      await adapter.migrate()
    } catch (error) {
      await adapter.close()
      throw error
    }
    return adapter
  }
  if (!options.readonly) mkdirSync(dirname(location.target), { recursive: true })
  const adapter = createSqliteStorage({ filename: location.target, readonly: options.readonly, readSnapshotMs: options.readSnapshotMs, readCacheMb: options.readCacheMb })
  if (!options.readonly) await adapter.migrate()
  return adapter
}
