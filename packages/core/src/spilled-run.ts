// @vehicle-perf/core/spilled-run: key settling and vehicle ordering in temp
// files, for a store that only stores (adapter-sqlite, adapter-postgres):
// createSpilledRun turns a small backend into a whole StagingSession.

export { createSpilledRun, type SpilledRunBackend, type SpilledRunOptions, type FreshRows } from './spilled-run/spilled-run.js'
export type { FirstOfKey } from './spilled-run/first-of-key.js'
export { KEY_PARTITIONS, VEHICLE_PARTITIONS, keyPartOf, randomKeySeed, removeOrphanedSpills } from './spilled-run/run-spill.js'
export { keyHashLo, keyHashHi, recordKeyHashLo, recordKeyHashHi, recordKindCode } from './spilled-run/spill-records.js'
export { KeyIndexWriter, candidateBlobIds, storedVersionsInBlobs, KEY_ENTRY_BYTES, KEY_ENTRIES_PER_BLOB, type VehicleBlob } from './spilled-run/key-index.js'
