// @vehicle-perf/core: every rule of SPEC.md, as pure functions. No database or HTTP dependency.

// Errors
export { VehiclePerfError, isVehiclePerfError, type VehiclePerfErrorCode } from './errors.js'

// Values
export { isValidId, isValidQrCode, normaliseQrCode, parseVehicleKey, type VehicleKey } from './values/ids.js'
export { parseTimestamp, formatTimestamp } from './values/timestamp.js'
export { parseAmountCents, parseCoordinate, centsToAmount, divideHalfEven } from './values/decimal.js'

// Rows: kinds, validation, duplicate identity
export { ROW_KINDS, KIND_COLUMNS, kindFromFileName, isRowKind, type RowKind } from './rows/kinds.js'
export { REJECT_REASONS, type RejectReason } from './rows/reject-reasons.js'
export {
  rowKey,
  latestTimestamp,
  type GeoPoint,
  type DeploymentRow,
  type PickupRow,
  type RideRow,
  type OperationRow,
} from './rows/row-types.js'
export {
  normaliseDeployment,
  normalisePickup,
  normaliseRide,
  normaliseRecord,
  NORMALISERS,
  type NormaliseResult,
  type FieldNormaliser,
} from './rows/normalise-row.js'
export { canonicalRowText, rowHash, hashText } from './rows/row-hash.js'
export { classifyDuplicate, classifyDuplicateRow, sameNormalisedValues, InMemoryDeduplicator, type DuplicateClass, type DeduplicationResult } from './rows/deduplicate.js'
export { deploymentRowSchema, pickupRowSchema, rideRowSchema, operationRowSchema } from './rows/row-schemas.js'
export {
  ROW_RECORD,
  ROW_RECORD_SIZES,
  ROW_KIND_CODES,
  ROW_CODE_KINDS,
  rowRecordSize,
  rowRecordKey,
  writeRowRecord,
  readRowRecord,
  withoutSeq,
  vehicleEventsOf,
} from './rows/row-records.js'

// CSV
export { CsvRecordParser, readCsvRecords, MAX_RECORD_CHARS, type CsvRecord, type ChunkSource } from './csv/csv-record-parser.js'
export {
  readOperationRows,
  DEFAULT_BATCH_SIZE,
  type ParsedRow,
  type RejectedRow,
  type ParsedBatch,
  type CsvHeader,
  type ReadOperationRowsOptions,
} from './csv/read-operation-rows.js'

// Cycles, metrics, the v1 response
export { buildCycles, type DeploymentCycle, type CycleAssignment, type CycleEndReason } from './response/cycle-builder.js'
export { EARTH_RADIUS_M, haversineMeters, rideDistanceMeters, rideDurationSeconds, wholeSecondsBetween } from './response/ride-metrics.js'
export { totalRides, streetFigures, type RideTotals, type StreetFigures } from './response/cycle-figures.js'
export { qrCodesOf, pickupRecency, type QrClaim } from './response/qr-codes.js'
export { groupRowsByVehicle, computeAsOf, type VehicleEvents, type SequencedPickup } from './response/vehicle-events.js'
export { renderChunk, type VehicleRecordsChunk, type RenderedChunk } from './response/render-chunk.js'
export {
  buildVehicleResponse,
  buildVehicleView,
  renderVehicleView,
  viewEtag,
  selectRides,
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

// Storage contract and ingest
export type {
  StorageAdapter,
  IngestSession,
  StagedRow,
  StagedDuplicate,
  ResolveStep,
  RejectRecord,
  DuplicateRecord,
  StoreMeta,
  StoredView,
  StoreStats,
} from './storage/storage-adapter.js'
export { ingest, type IngestOptions, type IngestProgress } from './ingest/ingest.js'
export { lookupVehicle, lookupVehicleByKey, unknownVehicleResult, MALFORMED_KEY_RESULT, type VehicleLookupResult } from './storage/lookup-vehicle.js'
export { resolveSources, type IngestSource, type ResolvedSource } from './ingest/ingest-sources.js'
export { totalsOf, type IngestReport, type FileReport, type RunTotals, type RejectCounts, type FileErrorCode } from './ingest/ingest-report.js'
