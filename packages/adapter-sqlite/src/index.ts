// @vehicle-perf/adapter-sqlite: the embedded default store.

// Factory
export { createSqliteStorage, type SqliteStorageOptions } from './sqlite-storage.js'

// Schema (drizzle tables), for hosts that query the store directly
export {
  storeMeta,
  ingestRuns,
  ingestFiles,
  vehicleRows,
  keyIndex,
  rejectedRows,
  duplicateRows,
  vehicleViews,
  qrClaims,
} from './schema.js'

// Reading stored rows back (vehicle_rows.records) outside the adapter
export { readStoredRecord, storedRecordSize } from './packed-rows.js'
