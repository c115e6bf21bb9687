// @vehicle-perf/adapter-sqlite: the embedded default store.

// Factory
export { createSqliteStorage, type SqliteStorageOptions } from './sqlite-storage.js'

// Schema (drizzle tables), for hosts that query the store directly
export {
  storeMeta,
  ingestRuns,
  ingestFiles,
  deployments,
  pickups,
  rides,
  rejectedRows,
  duplicateRows,
  vehicleViews,
  qrClaims,
} from './schema.js'
