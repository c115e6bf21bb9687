import type { Reply } from './reply.js'

/** RFC 9457 problem details, with stable type URIs per kind of problem. */
export interface Problem {
  slug: 'malformed-key' | 'unknown-vehicle' | 'store-unavailable' | 'internal-error'
  status: number
  title: string
  detail: string
  instance?: string
}

export function problemReply(problem: Problem, extraHeaders: Record<string, string> = {}): Reply {
  const body = JSON.stringify({
    type: `urn:vehicle-perf:problem:${problem.slug}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(problem.instance === undefined ? {} : { instance: problem.instance }),
  })
  return { status: problem.status, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...extraHeaders }, body }
}
