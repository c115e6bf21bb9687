import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { Reply, RequestInfo } from '../src/reply.js'
import { createTurnWriter } from '../src/turn-writer.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A GET on a connection of its own: the status and body, or the error the connection ended with. */
function get(url: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }))
    req.end()
  })
}

const reply = (body: string, headers: Record<string, string> = {}): Reply => ({ status: 200, headers: { 'content-type': 'text/plain', ...headers }, body })
const info = (path: string): RequestInfo => ({ method: 'GET', path, ifNoneMatch: null })

describe('replies written once per turn of the event loop', () => {
  it('writes a reply at the end of the turn it was queued in, not during it', async () => {
    const write = createTurnWriter(() => {})
    const seen: string[] = []
    const url = await listen((req, res) => {
      write(res, reply(`answer to ${req.url}`), info(req.url ?? '/'))
      seen.push(`queued: headers sent ${res.headersSent}`)
      // Scheduled after the writer's flush, so it runs in the same check phase, just after it.
      setImmediate(() => seen.push(`after the turn: headers sent ${res.headersSent}`))
    })
    expect(await get(`${url}/a`)).toEqual({ status: 200, body: 'answer to /a' })
    expect(seen).toEqual(['queued: headers sent false', 'after the turn: headers sent true'])
  })

  it('gives every one of many concurrent requests its own answer', async () => {
    const write = createTurnWriter(() => {})
    const url = await listen((req, res) => {
      // Half answer at once, half after a promise, as cached and stored lookups do.
      if (Number(req.url?.slice(1)) % 2 === 0) write(res, reply(`answer to ${req.url}`), info(req.url ?? '/'))
      else void Promise.resolve().then(() => write(res, reply(`answer to ${req.url}`), info(req.url ?? '/')))
    })
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => get(`${url}/${i}`)))
    expect(answers).toEqual(Array.from({ length: 60 }, (_, i) => ({ status: 200, body: `answer to /${i}` })))
  })

  it('still writes the rest of a turn when one reply cannot be written, and reports that one', async () => {
    const errors: [string, string][] = []
    const write = createTurnWriter((error, request) => errors.push([request.path, error instanceof Error ? error.message : String(error)]))
    let first: ServerResponse | undefined
    const url = await listen((req, res) => {
      if (req.url === '/bad') {
        first = res
        return
      }
      // Both replies queued in one turn: a header value with a line break makes node refuse the first.
      write(first as ServerResponse, reply('never sent', { 'x-broken': 'a\nb' }), info('/bad'))
      write(res, reply('sent'), info('/good'))
    })
    const bad = get(`${url}/bad`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await get(`${url}/good`)).toEqual({ status: 200, body: 'sent' })
    expect(await bad).toEqual({ error: 'ECONNRESET' })
    expect(errors).toEqual([['/bad', expect.stringContaining('x-broken')]])
  })
})
