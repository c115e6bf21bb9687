// @vehicle-perf/core/packed-rows: core's packed row records, for a store that
// declares the `packedRows` capability (StorageCapabilities). Records are
// read and written only through these functions; their layout is core's.

export {
  PACKED_ROWS_FORMAT,
  PACKED_ROW_KIND_CODES,
  packedRowSize,
  packedRowSizeAt,
  packedRowKindCode,
  packRow,
  unpackRow,
  unpackRecords,
  packedRowsFormatProblem,
  packedRowKey,
  packedRowSeq,
  samePackedKey,
  packedKeyIs,
  kindOfCode,
  type PackedVehicles,
} from './rows/packed-rows.js'
export { unpackVehicles, packVehicles } from './response/render-vehicles.js'
