import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import type { StorageAdapter } from '@vehicle-perf/core'
import { UsageError } from './cli-errors.js'

export const DEFAULT_DB = 'sqlite:./vehicle-perf.db'

export interface StoreLocation {
  kind: 'sqlite' | 'postgres'
  /** A file path for SQLite, the connection URL for PostgreSQL. */
  target: string
}

/** `sqlite:PATH`, `sqlite://PATH`, a plain path, or `postgres://...` / `postgresql://...`. */
export function parseStoreLocation(db: string): StoreLocation {
  if (/^postgres(ql)?:\/\//.test(db)) return { kind: 'postgres', target: db }
  const path = db.replace(/^sqlite:(\/\/)?/, '')
  if (path === '') throw new UsageError(`--db ${db}: no database file given (example: --db sqlite:./vehicle-perf.db)`)
  return { kind: 'sqlite', target: resolve(path) }
}

export async function openStore(db: string, options: { readonly?: boolean; readSnapshotMs?: number } = {}): Promise<StorageAdapter> {
  const location = parseStoreLocation(db)
  if (location.kind === 'postgres') {
    throw new UsageError('PostgreSQL is not available yet: @vehicle-perf/adapter-postgres is not built. Use --db sqlite:PATH.')
  }
  if (!options.readonly) mkdirSync(dirname(location.target), { recursive: true })
  const adapter = createSqliteStorage({ filename: location.target, readonly: options.readonly, readSnapshotMs: options.readSnapshotMs })
  if (!options.readonly) await adapter.migrate()
  return adapter
}
