// @vehicle-perf/adapter-sqlite: the embedded default store.

export { createSqliteStorage, type SqliteStorageOptions } from './sqlite-storage.js'
