// @vehicle-perf/core: every rule of the domain (docs/domain.md) as pure
// functions, the ingest pipeline, the storage contract and a complete store
// in memory. No database or HTTP dependency.

// Errors
export {
  VehiclePerfError,
  isVehiclePerfError,
  isFileError,
  asVehiclePerfError,
  type VehiclePerfErrorCode,
  type VehiclePerfErrorOptions,
  type FileErrorCode,
} from './errors.js'

// Values
export { isValidId, isValidQrCode, normaliseQrCode, parseVehicleKey, type VehicleKey } from './values/ids.js'
export { parseTimestamp, formatTimestamp } from './values/timestamp.js'
export { parseAmountCents, parseCoordinate, centsToAmount, divideHalfEven } from './values/decimal.js'

// Rows: kinds, validation, duplicate equality
export { ROW_KINDS, KIND_COLUMNS, kindFromFileName, isRowKind, type RowKind } from './rows/kinds.js'
export { REJECT_REASONS, type RejectReason } from './rows/reject-reasons.js'
export {
  rowKey,
  latestTimestamp,
  withoutSeq,
  type GeoPoint,
  type DeploymentRow,
  type PickupRow,
  type RideRow,
  type OperationRow,
  type StoredRow,
} from './rows/row-types.js'
export { normaliseRecord, type NormaliseResult } from './rows/normalise-row.js'
export { classifyDuplicateRow, sameNormalisedValues, type DuplicateClass } from './rows/deduplicate.js'

// CSV, or records from any parser
export {
  readOperationRows,
  readRecordRows,
  DEFAULT_BATCH_SIZE,
  type ParsedRow,
  type RejectedRow,
  type ParsedBatch,
  type CsvHeader,
  type ReadOperationRowsOptions,
} from './csv/read-operation-rows.js'
export { readCsvRecords, type CsvRecord, type ChunkSource } from './csv/csv-record-parser.js'

// Cycles, metrics, the v1 response
export { buildCycles, type DeploymentCycle, type CycleAssignment, type CycleEndReason } from './response/cycle-builder.js'
export { EARTH_RADIUS_M, haversineMeters, rideDistanceMeters, rideDurationSeconds, wholeSecondsBetween } from './response/ride-metrics.js'
export { qrCodesOf, type QrClaim } from './response/qr-codes.js'
export { groupRowsByVehicle, computeAsOf, eventsOfHistory, type VehicleEvents, type VehicleHistory, type SequencedPickup } from './response/vehicle-events.js'
export {
  buildVehicleResponse,
  buildVehicleView,
  renderVehicleView,
  viewEtag,
  MAX_ITEMS,
  type BuildResponseOptions,
  type VehicleView,
  type OpenCycle,
} from './response/vehicle-response.js'
export {
  vehicleResponseSchema,
  vehicleResponseJsonSchema,
  cycleSummarySchema,
  rideItemSchema,
  cycleItemSchema,
  selectionPolicySchema,
  type VehicleResponse,
  type CycleSummary,
  type RideItem,
  type CycleItem,
  type SelectionPolicy,
} from './response/response-schema.js'

// Ingest and lookup
export { ingest, type IngestOptions, type IngestProgress } from './ingest/ingest.js'
export { resolveSources, type IngestSource, type ResolvedSource } from './ingest/ingest-sources.js'
export { totalsOf, type IngestReport, type FileReport, type RunTotals, type RejectCounts } from './ingest/ingest-report.js'
export { lookupVehicle, lookupVehicleByKey, lookupVehicleHistory, unknownVehicleResult, MALFORMED_KEY_RESULT, type VehicleLookupResult, type VehicleHistoryResult } from './storage/lookup-vehicle.js'
export { buildVehicleHistory, type VehicleHistoryReport, type HistoryCycle } from './response/vehicle-history.js'

// The storage contract, and the reference store
export type {
  StorageAdapter,
  StorageCapabilities,
  RunStart,
  StagingSession,
  KeySettlement,
  RefreshSession,
  StagedBatch,
  StagedRow,
  StagedDuplicate,
  SettleStep,
  RejectRecord,
  DuplicateRecord,
  StoreMeta,
  StoredView,
  KeyChunk,
  StoreStats,
  LogFilter,
  LoggedReject,
  LoggedDuplicate,
} from './storage/storage-contract.js'
export { storeStatsFrom, type StoreCounts } from './storage/store-stats.js'
export { createMemoryStorage, MemoryDatabase, type MemoryStorageOptions } from './storage/memory-storage.js'

// One seeded hash for stores and servers (partitions, hash tables, filters)
export { seededHash, seededHashOfBytes } from './seeded-hash.js'

// Demo and test data
export {
  generate,
  DEFAULT_ANOMALY_RATES,
  NO_ANOMALIES,
  type GenerateOptions,
  type GenerateResult,
  type AnomalyRates,
  type ExpectedAccounting,
} from './generator/generate.js'
export type { ExpectedFileAccounting } from './generator/csv-batch-files.js'
