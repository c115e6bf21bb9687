import { getRouterParam, H3, type H3Event } from 'h3'
import type { StorageAdapter } from '@vehicle-perf/core'
import { healthResponse, readinessResponse } from './health-handlers.js'
import { reportResponse, validateRedirectTemplate } from './report-handler.js'
import { vehicleApiResponse } from './vehicle-api-handler.js'

export interface VehiclePerfAppOptions {
  adapter: StorageAdapter
  /**
   * A dashboard URL (Superset, Metabase, Grafana...) with `{vehicle_id}` and/or
   * `{qr_code}`: the report route then redirects there instead of rendering.
   */
  reportRedirect?: string
  /** Cache-Control on 200 and 304 answers. Default `public, max-age=60`: data changes only when an ingest finishes. */
  cacheControl?: string
  /** Called with store errors (the answer is a 503 either way): log them here. */
  onError?: (error: unknown, request: Request) => void
}

function keyOf(event: H3Event): string {
  return getRouterParam(event, 'key', { decode: true }) ?? ''
}

/**
 * Registers the vehicle-perf routes on an h3 app, under `prefix` (for a host
 * app that mounts them next to its own routes).
 */
export function registerVehiclePerfRoutes(app: H3, options: VehiclePerfAppOptions, prefix = ''): H3 {
  const redirectTemplate = options.reportRedirect === undefined || options.reportRedirect === '' ? undefined : validateRedirectTemplate(options.reportRedirect)
  const cacheControl = options.cacheControl ?? 'public, max-age=60'
  const api = { adapter: options.adapter, cacheControl, onError: options.onError }
  const report = { ...api, redirectTemplate }
  const apiHandler = (event: H3Event): Promise<Response> => vehicleApiResponse(event.req, keyOf(event), api)
  const reportHandler = (event: H3Event): Promise<Response> => reportResponse(event.req, keyOf(event), report)
  app.get(`${prefix}/api/v1/vehicles/:key`, apiHandler)
  app.head(`${prefix}/api/v1/vehicles/:key`, apiHandler)
  app.get(`${prefix}/report/v1/vehicles/:key`, reportHandler)
  app.head(`${prefix}/report/v1/vehicles/:key`, reportHandler)
  app.get(`${prefix}/healthz`, () => healthResponse())
  app.get(`${prefix}/readyz`, () => readinessResponse(options.adapter))
  return app
}

/** A standalone app with every vehicle-perf route. */
export function createApp(options: VehiclePerfAppOptions): H3 {
  return registerVehiclePerfRoutes(new H3(), options)
}
