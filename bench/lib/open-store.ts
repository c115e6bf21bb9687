import type { StorageAdapter } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'

/** A store from a location: a SQLite file path, or `postgres://...?schema=NAME`. */
export function openBenchStore(location: string, options: { cacheSizeMb?: number } = {}): StorageAdapter {
  if (/^postgres(ql)?:\/\//.test(location)) {
    const url = new URL(location)
    const schema = url.searchParams.get('schema') ?? undefined
    url.searchParams.delete('schema')
    return createPostgresStorage({ connectionString: url.toString(), schema, statementTimeoutMs: 60_000 })
  }
  return createSqliteStorage({ filename: location, ...(options.cacheSizeMb === undefined ? {} : { cacheSizeMb: options.cacheSizeMb }) })
}
