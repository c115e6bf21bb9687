import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { getRouterParam, H3, HTTPResponse, toNodeHandler, type H3Event } from 'h3'
import { isVehiclePerfError, type StorageAdapter } from '@vehicle-perf/core'
import { createVehicleLookup, type LookupCacheOptions } from './cached-lookup.js'
import { healthReply, readinessReply } from './health-handlers.js'
import { methodNotAllowedReply, notFoundReply } from './problem-response.js'
import type { Reply, RequestInfo } from './reply.js'
import { reportReply, validateRedirectTemplate, validateTiles } from './report-handler.js'
import type { ReportTiles } from './report/report-map.js'
import { replyToLookup, vehicleApiReply, type VehicleApiOptions } from './vehicle-api-handler.js'
import { createTurnWriter } from './turn-writer.js'

export interface VehiclePerfAppOptions {
  adapter: StorageAdapter
  /**
   * A dashboard URL (Superset, Metabase, Grafana...) with `{vehicle_id}` and/or
   * `{qr_code}`: the report route then redirects there instead of rendering.
   */
  reportRedirect?: string
  /**
   * Map tiles under the report's ride map: an OSM-style URL template with
   * `{z}`, `{x}`, `{y}` and the attribution the tile server requires
   * (e.g. `{ url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
   * attribution: '© OpenStreetMap contributors' }`). Without it the map
   * draws the ride lines on their own, and the page loads nothing.
   */
  reportTiles?: ReportTiles
  /** Cache-Control on 200 and 304 answers. Default `public, max-age=60`: data changes only when an ingest finishes. */
  cacheControl?: string
  /** In-process cache of rendered answers, invalidated by the store's data version; `false` to read the store every time. */
  cache?: LookupCacheOptions | false
  /**
   * Called with every error that failed a request (a 503 for a store that
   * cannot be reached or is busy, a 500 for anything else). Default: one
   * line on stderr.
   */
  onError?: (error: unknown, request: RequestInfo) => void
}

/** h3's own response type: srvx writes it to node:http in one go (a web Response would be streamed). */
function send(reply: Reply): HTTPResponse {
  // The reason phrase too: srvx would send "HTTP/1.1 200 " without it.
  return new HTTPResponse(reply.body as ConstructorParameters<typeof HTTPResponse>[0], { status: reply.status, statusText: STATUS_CODES[reply.status], headers: reply.headers })
}

/** The default onError: a request that failed is never silent. */
function logError(error: unknown, request: RequestInfo): void {
  const code = isVehiclePerfError(error) ? error.code : 'internal'
  console.error(`[vehicle-perf] ${request.method} ${request.path} failed (${code}): ${error instanceof Error ? error.message : String(error)}`)
}

function infoOf(event: H3Event): RequestInfo {
  return { method: event.req.method, path: event.url.pathname, ifNoneMatch: event.req.headers.get('if-none-match'), query: event.url.searchParams }
}

function keyOf(event: H3Event): string {
  return getRouterParam(event, 'key', { decode: true }) ?? ''
}

interface Routes {
  app: H3
  api: VehicleApiOptions
}

function buildRoutes(app: H3, options: VehiclePerfAppOptions, prefix: string): Routes {
  const redirectTemplate = options.reportRedirect === undefined || options.reportRedirect === '' ? undefined : validateRedirectTemplate(options.reportRedirect)
  const cacheControl = options.cacheControl ?? 'public, max-age=60'
  const api: VehicleApiOptions = { lookup: createVehicleLookup(options.adapter, options.cache), cacheControl, onError: options.onError ?? logError }
  const report = { ...api, adapter: options.adapter, redirectTemplate, tiles: options.reportTiles === undefined ? undefined : validateTiles(options.reportTiles) }
  const apiHandler = async (event: H3Event): Promise<HTTPResponse> => send(await vehicleApiReply(infoOf(event), keyOf(event), api))
  const reportHandler = async (event: H3Event): Promise<HTTPResponse> => send(await reportReply(infoOf(event), keyOf(event), report))
  const routes: [path: string, handler: (event: H3Event) => Promise<HTTPResponse> | HTTPResponse][] = [
    [`${prefix}/api/v1/vehicles/:key`, apiHandler],
    [`${prefix}/report/v1/vehicles/:key`, reportHandler],
    [`${prefix}/healthz`, () => send(healthReply())],
    [`${prefix}/readyz`, async () => send(await readinessReply(options.adapter))],
  ]
  for (const [path, handler] of routes) {
    app.get(path, handler)
    app.head(path, handler)
    // Any other method on a path we serve: 405 with Allow (a method-specific route wins over `all`).
    app.all(path, () => send(methodNotAllowedReply(ALLOWED_METHODS)))
  }
  return { app, api }
}

const ALLOWED_METHODS = ['GET', 'HEAD'] as const

/** A standalone app answers every path it does not serve with a problem+json 404 (h3's own would echo the URL). */
function withNotFound(app: H3): H3 {
  app.all('/**', () => send(notFoundReply()))
  return app
}

/**
 * Registers the vehicle-perf routes on an h3 app, under `prefix` (for a host
 * app that mounts them next to its own routes).
 */
export function registerVehiclePerfRoutes(app: H3, options: VehiclePerfAppOptions, prefix = ''): H3 {
  return buildRoutes(app, options, prefix).app
}

/** A standalone app with every vehicle-perf route. */
export function createApp(options: VehiclePerfAppOptions): H3 {
  return withNotFound(buildRoutes(new H3(), options, '').app)
}

const API_PATH = '/api/v1/vehicles/'

/**
 * A node:http request listener for a standalone server. The one hot route
 * (GET/HEAD /api/v1/vehicles/:key) is answered straight from node's request,
 * by the same handler the h3 route uses: h3's generic request/response
 * wrapping costs more than the lookup itself (measured in bench/README.md).
 * Every other request goes to the h3 app.
 */
export function createNodeListener(options: VehiclePerfAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { app, api } = buildRoutes(new H3(), options, '')
  const viaH3 = toNodeHandler(withNotFound(app))
  const writeReply = createTurnWriter(api.onError ?? logError)
  return (req, res) => {
    const url = req.url ?? '/'
    const method = req.method ?? 'GET'
    if ((method === 'GET' || method === 'HEAD') && url.startsWith(API_PATH)) {
      const query = url.indexOf('?')
      const path = query === -1 ? url : url.slice(0, query)
      const encodedKey = path.slice(API_PATH.length)
      if (encodedKey !== '' && !encodedKey.includes('/')) {
        let key: string
        try {
          key = decodeURIComponent(encodedKey)
        } catch {
          key = encodedKey
        }
        const request = { method, path, ifNoneMatch: req.headers['if-none-match'] ?? null }
        const ready = api.lookup.peek(key)
        if (ready !== undefined) writeReply(res, replyToLookup(request, ready, api), request)
        else void vehicleApiReply(request, key, api).then((reply) => writeReply(res, reply, request))
        return
      }
    }
    void viaH3(req, res)
  }
}
