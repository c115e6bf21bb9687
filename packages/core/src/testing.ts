// @vehicle-perf/core/testing: what every storage adapter must do, as one suite.

export {
  runStorageConformanceSuite,
  type ConformanceSuiteOptions,
  type ConformanceStore,
  type ConformanceExpect,
  type StoreContents,
} from './testing/conformance-suite.js'
export { referenceResponses, firstOfEveryKey, fixtureId, csv, RIDE_HEADER, DEPLOYMENT_HEADER, PICKUP_HEADER } from './testing/conformance-fixtures.js'
