import { describe, expect, it } from 'vitest'

// The public surface of @vehicle-perf/core, pinned: a name added or removed
// is a decision, made in this file's diff.
describe('@vehicle-perf/core exports', () => {
  it('exports its public API by name', async () => {
    expect(Object.keys(await import('@vehicle-perf/core')).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_ANOMALY_RATES",
        "DEFAULT_BATCH_SIZE",
        "EARTH_RADIUS_M",
        "KIND_COLUMNS",
        "MALFORMED_KEY_RESULT",
        "MAX_ITEMS",
        "MemoryDatabase",
        "NO_ANOMALIES",
        "REJECT_REASONS",
        "ROW_KINDS",
        "VehiclePerfError",
        "asVehiclePerfError",
        "buildCycles",
        "buildVehicleHistory",
        "buildVehicleResponse",
        "buildVehicleView",
        "centsToAmount",
        "classifyDuplicateRow",
        "computeAsOf",
        "createMemoryStorage",
        "cycleItemSchema",
        "cycleSummarySchema",
        "divideHalfEven",
        "eventsOfHistory",
        "formatTimestamp",
        "generate",
        "groupRowsByVehicle",
        "haversineMeters",
        "ingest",
        "isFileError",
        "isRowKind",
        "isValidId",
        "isValidQrCode",
        "isVehiclePerfError",
        "kindFromFileName",
        "latestTimestamp",
        "lookupVehicle",
        "lookupVehicleByKey",
        "lookupVehicleHistory",
        "normaliseQrCode",
        "normaliseRecord",
        "parseAmountCents",
        "parseCoordinate",
        "parseTimestamp",
        "parseVehicleKey",
        "qrCodesOf",
        "readCsvRecords",
        "readOperationRows",
        "readRecordRows",
        "renderVehicleView",
        "resolveSources",
        "rideDistanceMeters",
        "rideDurationSeconds",
        "rideItemSchema",
        "rowKey",
        "sameNormalisedValues",
        "seededHash",
        "seededHashOfBytes",
        "selectionPolicySchema",
        "storeStatsFrom",
        "totalsOf",
        "unknownVehicleResult",
        "vehicleResponseJsonSchema",
        "vehicleResponseSchema",
        "viewEtag",
        "wholeSecondsBetween",
        "withoutSeq",
      ]
    `)
  })

  it('exports the conformance suite from /testing', async () => {
    expect(Object.keys(await import('@vehicle-perf/core/testing')).sort()).toMatchInlineSnapshot(`
      [
        "DEPLOYMENT_HEADER",
        "PICKUP_HEADER",
        "RIDE_HEADER",
        "csv",
        "firstOfEveryKey",
        "fixtureId",
        "referenceResponses",
        "runStorageConformanceSuite",
      ]
    `)
  })

  it('exports packed rows from /packed-rows as functions, with no byte offset', async () => {
    expect(Object.keys(await import('@vehicle-perf/core/packed-rows')).sort()).toMatchInlineSnapshot(`
      [
        "PACKED_ROWS_FORMAT",
        "PACKED_ROW_KIND_CODES",
        "kindOfCode",
        "packRow",
        "packVehicles",
        "packedKeyIs",
        "packedRowKey",
        "packedRowKindCode",
        "packedRowSeq",
        "packedRowSize",
        "packedRowSizeAt",
        "packedRowsFormatProblem",
        "samePackedKey",
        "unpackRecords",
        "unpackRow",
        "unpackVehicles",
      ]
    `)
  })

  it('exports the spilled run for stores that only store from /spilled-run', async () => {
    expect(Object.keys(await import('@vehicle-perf/core/spilled-run')).sort()).toMatchInlineSnapshot(`
      [
        "KEY_ENTRIES_PER_BLOB",
        "KEY_ENTRY_BYTES",
        "KEY_PARTITIONS",
        "KeyIndexWriter",
        "VEHICLE_PARTITIONS",
        "candidateBlobIds",
        "createSpilledRun",
        "keyHashHi",
        "keyHashLo",
        "keyPartOf",
        "randomKeySeed",
        "recordKeyHashHi",
        "recordKeyHashLo",
        "recordKindCode",
        "removeOrphanedSpills",
        "storedVersionsInBlobs",
      ]
    `)
  })
})
