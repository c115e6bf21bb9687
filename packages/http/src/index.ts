// @vehicle-perf/http: h3 v2 handlers and app for the v1 API and the report page.

// Apps
export { createApp, createNodeListener, registerVehiclePerfRoutes, type VehiclePerfAppOptions } from './create-app.js'
export { createVehicleLookup, type VehicleLookup, type LookupCacheOptions } from './cached-lookup.js'
export { serveNode, type NodeServerOptions, type RunningServer } from './node-server.js'

// Handlers (web-standard Request in, a Reply out), for hosts that route themselves
export { vehicleApiReply, replyToLookup, type VehicleApiOptions } from './vehicle-api-handler.js'
export { reportReply, validateRedirectTemplate, validateTiles, type ReportOptions } from './report-handler.js'
export { healthReply, readinessReply } from './health-handlers.js'
export { toWebResponse, requestInfoOf, type Reply, type RequestInfo } from './reply.js'

// Pieces
export { renderReportPage, renderErrorPage, reportViewOf, type ReportView } from './report/report-page.js'
export type { ReportTiles } from './report/report-map.js'
export { problemReply, type Problem } from './problem-response.js'
export { statusOfError, RETRY_AFTER_SECONDS } from './error-status.js'
