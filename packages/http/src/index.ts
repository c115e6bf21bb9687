// @vehicle-perf/http: h3 v2 handlers and app for the v1 API and the report page.

// Apps
export { createApp, registerVehiclePerfRoutes, type VehiclePerfAppOptions } from './create-app.js'
export { serveNode, type NodeServerOptions, type RunningServer } from './node-server.js'

// Handlers (web-standard Request in, Response out), for hosts that route themselves
export { vehicleApiResponse, type VehicleApiOptions } from './vehicle-api-handler.js'
export { reportResponse, validateRedirectTemplate, type ReportOptions } from './report-handler.js'
export { healthResponse, readinessResponse } from './health-handlers.js'

// Pieces
export { renderReportPage, renderErrorPage } from './report/report-page.js'
export { problemResponse, type Problem } from './problem-response.js'
export { statusOfError, RETRY_AFTER_SECONDS } from './error-status.js'
