import { lookupVehicleHistory, VehiclePerfError, type StorageAdapter, type VehicleResponse } from '@vehicle-perf/core'
import type { VehicleLookup } from './cached-lookup.js'
import { matchesIfNoneMatch } from './conditional.js'
import { RETRY_AFTER_SECONDS, statusOfError } from './error-status.js'
import { renderErrorPage, renderReportPage, reportViewOf } from './report/report-page.js'
import { tileOrigins, tileUrl, type ReportTiles } from './report/report-map.js'
import type { Reply, RequestInfo } from './reply.js'

// The page loads nothing: no script, no font, no image, no stylesheet beyond its own.
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export interface ReportOptions {
  lookup: VehicleLookup
  /** For the vehicle's whole history (its stored rows). */
  adapter: StorageAdapter
  /** Map tiles under the ride map; their origin is allowed in the page's CSP. */
  tiles?: ReportTiles
  /** Dashboard URL with `{vehicle_id}` and/or `{qr_code}`; when set, the report redirects there. */
  redirectTemplate?: string
  cacheControl: string
  onError?: (error: unknown, request: RequestInfo) => void
}

/** Checks a dashboard template once, at startup: an absolute http(s) URL with a placeholder. */
export function validateRedirectTemplate(template: string): string {
  let url: URL
  try {
    url = new URL(template.replaceAll('{vehicle_id}', 'x').replaceAll('{qr_code}', 'x'))
  } catch {
    throw new VehiclePerfError('invalid_option', `report redirect template is not an absolute URL: ${template}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new VehiclePerfError('invalid_option', `report redirect template must be http(s): ${template}`)
  if (!template.includes('{vehicle_id}') && !template.includes('{qr_code}')) {
    throw new VehiclePerfError('invalid_option', `report redirect template has no {vehicle_id} or {qr_code}: ${template}`)
  }
  return template
}

/**
 * Checks a tile URL template once, at startup: an absolute http(s) URL with
 * {z}, {x} and {y} (and optionally {s}), no other placeholder, and an
 * attribution.
 */
export function validateTiles(tiles: ReportTiles): ReportTiles {
  let url: URL
  try {
    url = new URL(tileUrl(tiles.url, 0, 0, 0))
  } catch {
    throw new VehiclePerfError('invalid_option', `report tiles URL is not an absolute URL: ${tiles.url}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new VehiclePerfError('invalid_option', `report tiles URL must be http(s): ${tiles.url}`)
  if (!['{z}', '{x}', '{y}'].every((slot) => tiles.url.includes(slot))) throw new VehiclePerfError('invalid_option', `report tiles URL needs {z}, {x} and {y}: ${tiles.url}`)
  const unknown = /\{(?![zxys]\})[^}]*\}/.exec(tiles.url)
  if (unknown !== null) throw new VehiclePerfError('invalid_option', `report tiles URL has ${unknown[0]}; only {z}, {x}, {y} and {s} are filled in: ${tiles.url}`)
  if (tiles.attribution.trim() === '') throw new VehiclePerfError('invalid_option', 'report tiles need the attribution their server requires')
  return tiles
}

/** With tiles, their origins (and only they) may serve images to the page. Built once per template, not per request. */
const cspWithTiles = new Map<string, string>()
function reportCsp(tiles: ReportTiles | undefined): string {
  if (tiles === undefined) return REPORT_CSP
  let csp = cspWithTiles.get(tiles.url)
  if (csp === undefined) cspWithTiles.set(tiles.url, (csp = REPORT_CSP.replace('img-src data:', `img-src data: ${tileOrigins(tiles.url).join(' ')}`)))
  return csp
}

function htmlResponse(status: number, body: string | null, headers: Record<string, string> = {}, tiles?: ReportTiles): Reply {
  const csp = reportCsp(tiles)
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'cache-control': 'no-store', ...headers }, body }
}

/** A store that cannot be reached is a 503 page with Retry-After; anything else a 500 page. Both are logged. */
function failurePage(error: unknown, request: RequestInfo, options: ReportOptions): Reply {
  options.onError?.(error, request)
  const status = statusOfError(error)
  return status === 503
    ? htmlResponse(503, renderErrorPage(503, 'Vehicle data is unavailable', 'The vehicle store cannot be reached right now. Please try again in a moment.'), { 'retry-after': String(RETRY_AFTER_SECONDS) })
    : htmlResponse(status, renderErrorPage(status, 'Something went wrong', 'This page could not be shown. The error has been logged; please try again later.'))
}

/** GET/HEAD /report/v1/vehicles/:idOrQr: the page for people, or a redirect to the dashboard. */
export async function reportReply(request: RequestInfo, rawKey: string, options: ReportOptions): Promise<Reply> {
  let result
  try {
    result = await options.lookup(rawKey)
  } catch (error) {
    return failurePage(error, request, options)
  }
  if (result.status !== 200) {
    return result.status === 400
      ? htmlResponse(400, renderErrorPage(400, 'This is not a vehicle code', 'Scan the QR code on the scooter again, or type its 6-character code or 20-character vehicle id.'))
      : htmlResponse(404, renderErrorPage(404, 'Unknown vehicle', `${result.detail} Check the code on the scooter.`))
  }
  if (options.redirectTemplate !== undefined) {
    // Only stored, validated values reach the Location header.
    const location = options.redirectTemplate
      .replaceAll('{vehicle_id}', encodeURIComponent(result.vehicleId))
      .replaceAll('{qr_code}', encodeURIComponent(result.qrCode ?? ''))
    return { status: 302, headers: { location, 'cache-control': 'no-store' }, body: null }
  }
  const view = reportViewOf(request.query)
  // The page is the view (its ETag) in the chosen window with the chosen cycle.
  const etag = `${result.etag.slice(0, -1)}-${view.windowDays ?? 'all'}-${view.cycle ?? 'last'}"`
  const headers = { etag, 'cache-control': options.cacheControl }
  if (matchesIfNoneMatch(request.ifNoneMatch, etag)) return { status: 304, headers, body: null }
  let history
  try {
    history = await lookupVehicleHistory(options.adapter, result.vehicleId)
  } catch (error) {
    return failurePage(error, request, options)
  }
  if (history.status !== 200) return htmlResponse(404, renderErrorPage(404, 'Unknown vehicle', 'This vehicle is no longer in the data. Check the code on the scooter.'))
  const page = renderReportPage(JSON.parse(result.body) as VehicleResponse, history.history, { json: `../../../api/v1/vehicles/${encodeURIComponent(result.vehicleId)}`, view, tiles: options.tiles })
  return htmlResponse(200, request.method === 'HEAD' ? null : page, headers, options.tiles)
}
