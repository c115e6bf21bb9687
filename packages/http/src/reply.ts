/**
 * What a handler answers, before any framework sees it: h3 routes turn it
 * into an h3 HTTPResponse (which srvx writes to node:http in one go), hosts
 * with their own router into a web Response.
 */
/** What the handlers need of a request, whatever server parsed it. */
export interface RequestInfo {
  method: string
  /** Path without the query string, as requested. */
  path: string
  ifNoneMatch: string | null
  /** The query string's parameters (the report's window and cycle). */
  query?: URLSearchParams
}

export function requestInfoOf(request: Request): RequestInfo {
  const url = new URL(request.url)
  return { method: request.method, path: url.pathname, ifNoneMatch: request.headers.get('if-none-match'), query: url.searchParams }
}

export interface Reply {
  status: number
  headers: Record<string, string>
  body: string | Uint8Array | null
}

export function toWebResponse(reply: Reply): Response {
  return new Response(reply.body as ConstructorParameters<typeof Response>[0], { status: reply.status, headers: reply.headers })
}
