import type { Reply } from './reply.js'

/** RFC 9457 problem details, with stable type URIs per kind of problem. */
export interface Problem {
  slug: 'malformed-key' | 'unknown-vehicle' | 'store-unavailable' | 'internal-error'
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
