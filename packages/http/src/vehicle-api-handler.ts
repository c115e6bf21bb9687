import { lookupVehicle, type StorageAdapter } from '@vehicle-perf/core'
import { matchesIfNoneMatch } from './conditional.js'
import { RETRY_AFTER_SECONDS, statusOfError } from './error-status.js'
import { problemResponse } from './problem-response.js'

export interface VehicleApiOptions {
  adapter: StorageAdapter
  /** Cache-Control of a 200 (and its 304). */
  cacheControl: string
  onError?: (error: unknown, request: Request) => void
}

/**
 * GET/HEAD /api/v1/vehicles/:idOrQr. The hot path: one validated key, one
 * indexed read of a precomputed document, bytes out.
 */
export async function vehicleApiResponse(request: Request, rawKey: string, options: VehicleApiOptions): Promise<Response> {
  const instance = new URL(request.url).pathname
  let result
  try {
    result = await lookupVehicle(options.adapter, rawKey)
  } catch (error) {
    options.onError?.(error, request)
    const status = statusOfError(error)
    return problemResponse(
      status === 503
        ? { slug: 'store-unavailable', status, title: 'Store unavailable', detail: 'The vehicle store cannot be reached right now; retry shortly.', instance }
        : { slug: 'internal-error', status, title: 'Internal error', detail: 'The request could not be answered.', instance },
      status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {},
    )
  }
  if (result.status !== 200) {
    return problemResponse({ slug: result.status === 400 ? 'malformed-key' : 'unknown-vehicle', status: result.status, title: result.title, detail: result.detail, instance })
  }
  const headers = { etag: result.etag, 'cache-control': options.cacheControl, 'content-type': 'application/json; charset=utf-8' }
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), result.etag)) {
    return new Response(null, { status: 304, headers: { etag: result.etag, 'cache-control': options.cacheControl } })
  }
  if (request.method === 'HEAD') {
    return new Response(null, { status: 200, headers: { ...headers, 'content-length': String(Buffer.byteLength(result.body)) } })
  }
  return new Response(result.body, { status: 200, headers })
}
