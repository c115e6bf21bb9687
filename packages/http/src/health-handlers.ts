import { formatTimestamp, type StorageAdapter } from '@vehicle-perf/core'
import { RETRY_AFTER_SECONDS } from './error-status.js'
import type { Reply } from './reply.js'

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }

/** Liveness: the process answers. Never touches the store. */
export function healthReply(): Reply {
  return { status: 200, headers: JSON_HEADERS, body: '{"status":"ok"}' }
}

/**
 * Readiness: the store is reachable and holds data; says which data version
 * is served and, for a store read from a replica, how far behind its primary
 * it is (`replica_lag_ms`, 0 when it has replayed all it received).
 */
export async function readinessReply(adapter: StorageAdapter): Promise<Reply> {
  try {
    const meta = await adapter.meta()
    const lag = adapter.replicaLagMs === undefined ? null : await adapter.replicaLagMs()
    const body = {
      status: meta.dataVersion > 0 ? 'ready' : 'no_data',
      data_version: meta.dataVersion,
      as_of: meta.asOf === null ? null : formatTimestamp(meta.asOf),
      ...(lag === null ? {} : { replica_lag_ms: lag }),
    }
    return { status: meta.dataVersion > 0 ? 200 : 503, headers: meta.dataVersion > 0 ? JSON_HEADERS : { ...JSON_HEADERS, 'retry-after': String(RETRY_AFTER_SECONDS) }, body: JSON.stringify(body) }
  } catch {
    return { status: 503, headers: { ...JSON_HEADERS, 'retry-after': String(RETRY_AFTER_SECONDS) }, body: '{"status":"store_unreachable"}' }
  }
}
