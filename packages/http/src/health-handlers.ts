import { formatTimestamp, type StorageAdapter } from '@vehicle-perf/core'
import { RETRY_AFTER_SECONDS } from './error-status.js'

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }

/** Liveness: the process answers. Never touches the store. */
export function healthResponse(): Response {
  return new Response('{"status":"ok"}', { headers: JSON_HEADERS })
}

/** Readiness: the store is reachable and holds data; says which data version is served. */
export async function readinessResponse(adapter: StorageAdapter): Promise<Response> {
  try {
    const meta = await adapter.meta()
    const body = { status: meta.dataVersion > 0 ? 'ready' : 'no_data', data_version: meta.dataVersion, as_of: meta.asOf === null ? null : formatTimestamp(meta.asOf) }
    return new Response(JSON.stringify(body), { status: meta.dataVersion > 0 ? 200 : 503, headers: meta.dataVersion > 0 ? JSON_HEADERS : { ...JSON_HEADERS, 'retry-after': String(RETRY_AFTER_SECONDS) } })
  } catch {
    return new Response('{"status":"store_unreachable"}', { status: 503, headers: { ...JSON_HEADERS, 'retry-after': String(RETRY_AFTER_SECONDS) } })
  }
}
