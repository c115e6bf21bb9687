import type { ServerResponse } from 'node:http'
import type { Reply, RequestInfo } from './reply.js'

/** Queues a reply; it is written once the event loop's current turn has read every ready request. */
export type WriteReply = (res: ServerResponse, reply: Reply, request: RequestInfo) => void

/**
 * Writes the replies of one turn of the event loop together, in its check
 * phase (setImmediate), after every socket that was ready has been read:
 * Redis writes its replies the same way, before it polls again.
 *
 * Why: under load a turn reads many requests. Written one by one as each
 * lookup finished, every response found its client asleep again (it had
 * read the previous one and sent its next request meanwhile), and the
 * wake-up was paid inside our `writev`: 26 us of a 72 us request at scale
 * 100, against 11 us for the same bytes from bare node:http, which never
 * lets its client sleep. Written back to back, a burst wakes a client once.
 * A turn with one request (a quiet server) writes it one setImmediate
 * later: no wait. Responses of one connection stay in order (node:http
 * holds a pipelined response until the previous one has been written).
 * Measured in bench/README.md ("Replies written once per turn").
 */
export function createTurnWriter(onError: (error: unknown, request: RequestInfo) => void): WriteReply {
  const pending: [ServerResponse, Reply, RequestInfo][] = []
  const flush = (): void => {
    const batch = pending.splice(0, pending.length)
    for (const [res, reply, request] of batch) {
      // One reply that cannot be written must not keep the rest of the turn's from going out.
      try {
        writeNow(res, reply)
      } catch (error) {
        res.destroy()
        onError(error, request)
      }
    }
  }
  return (res, reply, request) => {
    if (pending.push([res, reply, request]) === 1) setImmediate(flush)
  }
}

function writeNow(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, reply.headers)
  res.end(reply.body ?? undefined)
}
