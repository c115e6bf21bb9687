import { VehiclePerfError, type VehicleResponse } from '@vehicle-perf/core'
import type { VehicleLookup } from './cached-lookup.js'
import { matchesIfNoneMatch } from './conditional.js'
import { RETRY_AFTER_SECONDS, statusOfError } from './error-status.js'
import { renderErrorPage, renderReportPage } from './report/report-page.js'
import type { Reply, RequestInfo } from './reply.js'

// The page loads nothing: no script, no font, no image, no stylesheet beyond its own.
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export interface ReportOptions {
  lookup: VehicleLookup
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

function htmlResponse(status: number, body: string | null, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': REPORT_CSP, 'cache-control': 'no-store', ...headers }, body }
}

/** GET/HEAD /report/v1/vehicles/:idOrQr: the page for people, or a redirect to the dashboard. */
export async function reportReply(request: RequestInfo, rawKey: string, options: ReportOptions): Promise<Reply> {
  let result
  try {
    result = await options.lookup(rawKey)
  } catch (error) {
    options.onError?.(error, request)
    const status = statusOfError(error)
    return status === 503
      ? htmlResponse(503, renderErrorPage(503, 'Vehicle data is unavailable', 'The vehicle store cannot be reached right now. Please try again in a moment.'), { 'retry-after': String(RETRY_AFTER_SECONDS) })
      : htmlResponse(status, renderErrorPage(status, 'Something went wrong', 'This page could not be shown. The error has been logged; please try again later.'))
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
  const headers = { etag: result.etag, 'cache-control': options.cacheControl }
  if (matchesIfNoneMatch(request.ifNoneMatch, result.etag)) return { status: 304, headers, body: null }
  const page = renderReportPage(JSON.parse(result.body) as VehicleResponse, { json: `../../../api/v1/vehicles/${encodeURIComponent(result.vehicleId)}` })
  return htmlResponse(200, request.method === 'HEAD' ? null : page, headers)
}
