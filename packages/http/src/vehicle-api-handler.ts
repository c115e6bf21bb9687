import type { VehicleLookupResult } from '@vehicle-perf/core'
import { bodyBytes, type VehicleLookup } from './cached-lookup.js'
import { matchesIfNoneMatch } from './conditional.js'
import { RETRY_AFTER_SECONDS, statusOfError } from './error-status.js'
import { problemReply } from './problem-response.js'
import type { Reply, RequestInfo } from './reply.js'

export interface VehicleApiOptions {
  lookup: VehicleLookup
  /** Cache-Control of a 200 (and its 304). */
  cacheControl: string
  onError?: (error: unknown, request: RequestInfo) => void
}

const successHeaders = new WeakMap<VehicleLookupResult, Record<string, string>>()

/** The reply to a lookup result: no I/O, so a cache hit is answered synchronously. */
export function replyToLookup(request: RequestInfo, result: VehicleLookupResult, options: VehicleApiOptions): Reply {
  if (result.status !== 200) {
    return problemReply({ slug: result.status === 400 ? 'malformed-key' : 'unknown-vehicle', status: result.status, title: result.title, detail: result.detail, instance: request.path })
  }
  const body = bodyBytes(result)
  let headers = successHeaders.get(result)
  if (headers === undefined) {
    headers = { etag: result.etag, 'cache-control': options.cacheControl, 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) }
    successHeaders.set(result, headers)
  }
  if (matchesIfNoneMatch(request.ifNoneMatch, result.etag)) {
    return { status: 304, headers: { etag: result.etag, 'cache-control': options.cacheControl }, body: null }
  }
  return { status: 200, headers, body: request.method === 'HEAD' ? null : body }
}

/**
 * GET/HEAD /api/v1/vehicles/:idOrQr. The hot path: one validated key, one
 * indexed read of a precomputed document (or a cache hit), bytes out.
 */
export async function vehicleApiReply(request: RequestInfo, rawKey: string, options: VehicleApiOptions): Promise<Reply> {
  let result: VehicleLookupResult
  try {
    result = await options.lookup(rawKey)
  } catch (error) {
    options.onError?.(error, request)
    const status = statusOfError(error)
    return problemReply(
      status === 503
        ? { slug: 'store-unavailable', status, title: 'Store unavailable', detail: 'The vehicle store cannot be reached right now; retry shortly.', instance: request.path }
        : { slug: 'internal-error', status, title: 'Internal error', detail: 'The request could not be answered.', instance: request.path },
      status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {},
    )
  }
  return replyToLookup(request, result, options)
}
