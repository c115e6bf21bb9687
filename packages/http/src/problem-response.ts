import type { Reply } from './reply.js'

/** RFC 9457 problem details, with stable type URIs per kind of problem. */
export interface Problem {
  slug: 'malformed-key' | 'unknown-vehicle' | 'store-unavailable' | 'internal-error' | 'not-found' | 'method-not-allowed'
  status: number
  title: string
  detail: string
  instance?: string
}

/**
 * The body goes out as bytes with its Content-Length: a string body after
 * writeHead would be sent chunked, which costs every 4xx an extra frame.
 */
export function problemReply(problem: Problem, extraHeaders: Record<string, string> = {}): Reply {
  const body = Buffer.from(JSON.stringify({
    type: `urn:vehicle-perf:problem:${problem.slug}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(problem.instance === undefined ? {} : { instance: problem.instance }),
  }))
  return {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'content-length': String(body.length), ...extraHeaders },
    body,
  }
}

/** Any path the app does not serve. The URL is not echoed: it is the client's own input. */
export function notFoundReply(): Reply {
  return problemReply({ slug: 'not-found', status: 404, title: 'Not found', detail: 'No such resource. The API is GET /api/v1/vehicles/{vehicle_id or qr_code}; the report page GET /report/v1/vehicles/{key}.' })
}

/** A path the app serves, asked with a method it does not answer. */
export function methodNotAllowedReply(allow: readonly string[]): Reply {
  return problemReply({ slug: 'method-not-allowed', status: 405, title: 'Method not allowed', detail: `This resource answers ${allow.join(' and ')} only.` }, { allow: allow.join(', ') })
}
