import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { H3 } from 'h3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingest, type StorageAdapter } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { createApp, createNodeListener, registerVehiclePerfRoutes, serveNode, type RunningServer } from '@vehicle-perf/http'
import { createFixtureStore, type FixtureStore } from './fixture-store.js'
import { KnownKeys } from '../src/known-keys.js'

let store: FixtureStore
let server: RunningServer
let fastServer: RunningServer
let app: H3

beforeAll(async () => {
  store = await createFixtureStore()
  app = createApp({ adapter: store.adapter })
  server = await serveNode({ app, port: 0 })
  fastServer = await serveNode({ app: createNodeListener({ adapter: store.adapter }), port: 0 })
}, 120_000)
afterAll(async () => {
  await server?.close()
  await fastServer?.close()
  await store?.cleanup()
})

/** A store that a test ingests into while a fast-path server reads it; cleaned up after `body`. */
async function withLiveServer(
  wrap: (reader: StorageAdapter) => StorageAdapter,
  body: (live: { url: string; addDeployment: (n: number, vehicle: number, day: number) => Promise<void> }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vp-http-live-'))
  const filename = join(dir, 'store.db')
  const writer = createSqliteStorage({ filename })
  await writer.migrate()
  const reader = createSqliteStorage({ filename, readonly: true })
  const running = await serveNode({ app: createNodeListener({ adapter: wrap(reader), cache: { revalidateMs: 1 } }), port: 0 })
  const id = (prefix: string, n: number): string => `${prefix}${String(n).padStart(19, '0')}`
  const addDeployment = async (n: number, vehicle: number, day: number): Promise<void> => {
    const at = `2019-05-${String(day).padStart(2, '0')}`
    const csv = `task_id,vehicle_id,time_task_created,time_task_resolved\n${id('D', n)},${id('V', vehicle)},${at} 10:00:00 UTC,${at} 10:05:00 UTC\n`
    await ingest({ adapter: writer, sources: [{ name: `deployments_${n}.csv`, stream: [csv] }] })
  }
  try {
    await body({ url: running.url, addDeployment })
  } finally {
    await running.close()
    await reader.close()
    await writer.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

type Send = (path: string, init?: RequestInit) => Promise<Response>
const modes: [string, () => Send][] = [
  ['app.fetch', () => async (path, init) => app.fetch(new Request(`http://localhost${path}`, init))],
  ['node:http', () => (path, init) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init })],
  ['node:http with the fast API path', () => (path, init) => fetch(`${fastServer.url}${path}`, { redirect: 'manual', ...init })],
]

describe.each(modes)('vehicle-perf http over %s', (_mode, sender) => {
  const send: Send = (path, init) => sender()(path, init)

  it('answers a vehicle id with the v1 response, byte for byte what core computes, with ETag and Cache-Control', async () => {
    const response = await send(`/api/v1/vehicles/${store.sample.vehicle_id}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/)
    expect(response.headers.get('cache-control')).toBe('public, max-age=60')
    expect(await response.text()).toBe(JSON.stringify(store.reference.get(store.sample.vehicle_id)))
  })

  it('answers a QR code in any case with the same document', async () => {
    const byId = await (await send(`/api/v1/vehicles/${store.sample.vehicle_id}`)).text()
    const byQr = await send(`/api/v1/vehicles/${(store.sample.qr_code as string).toLowerCase()}`)
    expect(byQr.status).toBe(200)
    expect(await byQr.text()).toBe(byId)
  })

  it('answers 304 to a matching If-None-Match, strong or weak', async () => {
    const first = await send(`/api/v1/vehicles/${store.sample.vehicle_id}`)
    const etag = first.headers.get('etag') as string
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await send(`/api/v1/vehicles/${store.sample.vehicle_id}`, { headers: { 'if-none-match': header } })
      expect(again.status).toBe(304)
      expect(again.headers.get('etag')).toBe(etag)
      expect(await again.text()).toBe('')
    }
    expect((await send(`/api/v1/vehicles/${store.sample.vehicle_id}`, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200)
  })

  it('supports HEAD: the same status and headers, no body', async () => {
    const get = await send(`/api/v1/vehicles/${store.sample.vehicle_id}`)
    const body = await get.text()
    const head = await send(`/api/v1/vehicles/${store.sample.vehicle_id}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'))
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
    expect(await head.text()).toBe('')
  })

  it.each(['abc', 'XXBGC5X', 'f42vVrTOJh7yVYJACDC!', '%3Cscript%3E', 'XXBG%20C', '%C3%A912345'])('answers 400 problem+json to the malformed key %s', async (key) => {
    const response = await send(`/api/v1/vehicles/${key}`)
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    const problem = (await response.json()) as Record<string, unknown>
    expect(problem).toMatchObject({ type: 'urn:vehicle-perf:problem:malformed-key', status: 400, title: 'Malformed vehicle key' })
    expect(problem.instance).toBe(`/api/v1/vehicles/${key}`)
  })

  it('answers 404 problem+json to an unknown vehicle id or QR code', async () => {
    for (const key of ['AAAAAAAAAAAAAAAAAAAA', 'ZZZZZ9']) {
      const response = await send(`/api/v1/vehicles/${key}`)
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(await response.json()).toMatchObject({ type: 'urn:vehicle-perf:problem:unknown-vehicle', status: 404, title: 'Unknown vehicle' })
    }
  })

  it('answers any path it does not serve with a problem+json 404, no-store, that does not echo the path', async () => {
    for (const path of ['/', '/api/v1/vehicles', '/api/v2/vehicles/AAAAAA', '/api/v1/vehicles/AAAAAA/extra', '/<script>alert(1)</script>']) {
      const response = await send(path)
      const body = await response.text()
      expect([path, response.status, response.headers.get('content-type'), response.headers.get('cache-control')]).toEqual([path, 404, 'application/problem+json', 'no-store'])
      expect(JSON.parse(body)).toMatchObject({ type: 'urn:vehicle-perf:problem:not-found', status: 404, title: 'Not found' })
      expect(body).not.toContain('script')
      expect(body).not.toContain('v2')
    }
  })

  it('answers another method on a path it serves with 405 and Allow: GET, HEAD', async () => {
    for (const [method, path] of [['POST', `/api/v1/vehicles/${store.sample.vehicle_id}`], ['DELETE', '/report/v1/vehicles/AAAAAA'], ['PUT', '/healthz'], ['POST', '/readyz']] as const) {
      const response = await send(path, { method })
      expect([method, path, response.status, response.headers.get('allow')]).toEqual([method, path, 405, 'GET, HEAD'])
      expect(await response.json()).toMatchObject({ type: 'urn:vehicle-perf:problem:method-not-allowed', status: 405 })
    }
  })

  it('sends problem bodies with their Content-Length, not chunked', async () => {
    for (const key of ['AAAAAAAAAAAAAAAAAAAA', 'bad-key']) {
      const response = await send(`/api/v1/vehicles/${key}`)
      const body = await response.text()
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
      expect(response.headers.get('transfer-encoding')).toBeNull()
    }
  })

  it('reports liveness without the store, and readiness with the data version served', async () => {
    expect(await (await send('/healthz')).json()).toEqual({ status: 'ok' })
    const ready = await send('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ready', data_version: 1, as_of: store.sample.as_of })
  })

  it('renders the report page: self-contained HTML with the figures, charts, map and no external asset', async () => {
    const response = await send(`/report/v1/vehicles/${(store.sample.qr_code as string).toLowerCase()}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    const page = await response.text()
    expect(page).toContain('<html lang="en">')
    expect(page).toContain(`data-value="&quot;${store.sample.vehicle_id}&quot;"`)
    expect(page.match(/<svg /g)?.length).toBeGreaterThanOrEqual(3)
    expect(page).not.toMatch(/<script|<link|src=|url\(|@import/i)
    expect(page).not.toMatch(/href="(https?:)?\/\//)
  })

  it('answers report errors with human-readable pages and the right status', async () => {
    const malformed = await send('/report/v1/vehicles/not-a-key')
    expect(malformed.status).toBe(400)
    expect(await malformed.text()).toContain('This is not a vehicle code')
    const unknown = await send('/report/v1/vehicles/ZZZZZ9')
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await unknown.text()).toContain('Unknown vehicle')
  })
})

describe('report page history and map tiles', () => {
  it('draws the picked cycle\'s rides over map tiles when given a tile URL, with the attribution, and allows only that origin in its CSP', async () => {
    const tiled = createApp({ adapter: store.adapter, reportTiles: { url: 'https://tiles.example.org/{z}/{x}/{y}.png', attribution: '© Example tiles' } })
    const response = await tiled.fetch(new Request(`http://localhost/report/v1/vehicles/${store.sample.vehicle_id}`))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toContain('img-src data: https://tiles.example.org;')
    const page = await response.text()
    expect(page).toMatch(/<image href="https:\/\/tiles\.example\.org\/\d+\/\d+\/\d+\.png"/)
    expect(page).toContain('© Example tiles')
    // Without tiles the page loads nothing at all.
    const plain = await app.fetch(new Request(`http://localhost/report/v1/vehicles/${store.sample.vehicle_id}`))
    expect(await plain.text()).not.toContain('<image')
    expect(plain.headers.get('content-security-policy')).toContain('img-src data:;')
  })

  it('spreads tiles over the a/b/c subdomains of an OSM-style {s} template, each tile at one address, and allows exactly those origins', async () => {
    const tiled = createApp({ adapter: store.adapter, reportTiles: { url: 'https://{s}.tiles.example.org/{z}/{x}/{y}.png', attribution: '© Example tiles' } })
    const response = await tiled.fetch(new Request(`http://localhost/report/v1/vehicles/${store.sample.vehicle_id}`))
    expect(response.headers.get('content-security-policy')).toContain('img-src data: https://a.tiles.example.org https://b.tiles.example.org https://c.tiles.example.org;')
    const hrefs = [...(await response.text()).matchAll(/<image href="([^"]+)"/g)].map((m) => m[1] as string)
    expect(hrefs.length).toBeGreaterThan(1)
    for (const href of hrefs) {
      const [, sub, x, y] = /^https:\/\/([abc])\.tiles\.example\.org\/\d+\/(\d+)\/(\d+)\.png$/.exec(href) ?? []
      expect(sub).toBe('abc'[(Number(x) + Number(y)) % 3])
    }
  })

  it('refuses a tile URL without {z}/{x}/{y}, not http(s), or with a placeholder it does not fill, or without an attribution, at startup', () => {
    for (const reportTiles of [{ url: 'https://tiles.example.org/tile.png', attribution: 'x' }, { url: 'ftp://tiles.example.org/{z}/{x}/{y}.png', attribution: 'x' }, { url: 'https://tiles.example.org/{z}/{x}/{y}{r}.png', attribution: 'x' }, { url: 'https://tiles.example.org/{z}/{x}/{y}.png', attribution: ' ' }]) {
      expect(() => createApp({ adapter: store.adapter, reportTiles })).toThrow(expect.objectContaining({ code: 'invalid_option' }))
    }
  })

  it('a window or cycle in the query changes the page and its ETag; nonsense falls back to the whole life and the latest cycle', async () => {
    const get = async (query: string): Promise<Response> => await app.fetch(new Request(`http://localhost/report/v1/vehicles/${store.sample.vehicle_id}${query}`))
    const base = await get('')
    const week = await get('?window=7&cycle=0')
    expect(base.headers.get('etag')).not.toBe(week.headers.get('etag'))
    const nonsense = await get('?window=forever&cycle=-1')
    expect(nonsense.status).toBe(200)
    expect(nonsense.headers.get('etag')).toBe(base.headers.get('etag'))
    expect((await get('?window=7&cycle=0')).headers.get('etag')).toBe(week.headers.get('etag'))
    const again = await app.fetch(new Request(`http://localhost/report/v1/vehicles/${store.sample.vehicle_id}?window=7&cycle=0`, { headers: { 'if-none-match': week.headers.get('etag') as string } }))
    expect(again.status).toBe(304)
  })
})

describe('report redirect mode', () => {
  it('redirects to the dashboard with the stored vehicle id and QR code URL-encoded, and nothing else from the request', async () => {
    const redirecting = createApp({ adapter: store.adapter, reportRedirect: 'https://bi.example/dashboard/1/?vehicle={vehicle_id}&qr={qr_code}' })
    const qr = store.sample.qr_code as string
    const response = await redirecting.fetch(new Request(`http://localhost/report/v1/vehicles/${qr.toLowerCase()}?next=https://evil.example&x=%0d%0aSet-Cookie:a`))
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`https://bi.example/dashboard/1/?vehicle=${store.sample.vehicle_id}&qr=${qr}`)
    expect((await redirecting.fetch(new Request('http://localhost/report/v1/vehicles/ZZZZZ9'))).status).toBe(404)
  })

  it('refuses a template that is not an absolute http(s) URL with a placeholder', () => {
    for (const template of ['/relative/{vehicle_id}', 'javascript:alert({vehicle_id})', 'https://bi.example/no-placeholder']) {
      expect(() => createApp({ adapter: store.adapter, reportRedirect: template })).toThrow(/template/)
    }
  })
})

describe('mounting and outages', () => {
  it('mounts under a host app prefix next to the host routes', async () => {
    const host = new H3()
    host.get('/', () => 'host home')
    registerVehiclePerfRoutes(host, { adapter: store.adapter }, '/fleet')
    expect(await (await host.fetch(new Request('http://localhost/'))).text()).toBe('host home')
    expect((await host.fetch(new Request(`http://localhost/fleet/api/v1/vehicles/${store.sample.vehicle_id}`))).status).toBe(200)
  })

  it('answers 503 with Retry-After while the store is unreachable, and recovers when it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-http-outage-'))
    const filename = join(dir, 'later.db')
    const reader = createSqliteStorage({ filename, readonly: true })
    const errors: unknown[] = []
    const outage = createApp({ adapter: reader, onError: (error) => errors.push(error) })
    try {
      const down = await outage.fetch(new Request(`http://localhost/api/v1/vehicles/${store.sample.vehicle_id}`))
      expect(down.status).toBe(503)
      expect(down.headers.get('retry-after')).toBe('5')
      expect(await down.json()).toMatchObject({ type: 'urn:vehicle-perf:problem:store-unavailable', status: 503 })
      expect((await outage.fetch(new Request('http://localhost/readyz'))).status).toBe(503)
      expect((await outage.fetch(new Request('http://localhost/report/v1/vehicles/ZZZZZ9'))).status).toBe(503)
      expect((await outage.fetch(new Request('http://localhost/healthz'))).status).toBe(200)
      expect(errors.length).toBeGreaterThan(0)

      const writer = createSqliteStorage({ filename })
      await writer.migrate()
      await ingest({ adapter: writer, sources: [{ name: 'deployments.csv', stream: ['task_id,vehicle_id,time_task_created,time_task_resolved\nD0000000000000000001,V0000000000000000001,2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC\n'] }] })
      await writer.close()
      expect((await outage.fetch(new Request('http://localhost/api/v1/vehicles/V0000000000000000001'))).status).toBe(200)
      expect((await outage.fetch(new Request('http://localhost/readyz'))).status).toBe(200)
    } finally {
      await reader.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('never serves a cached answer older than a finished ingest once the process has checked the data version', async () => {
    await withLiveServer((reader) => reader, async ({ url, addDeployment }) => {
      const get = async (): Promise<Response> => fetch(`${url}/api/v1/vehicles/V0000000000000000001`)
      await addDeployment(1, 1, 1)
      const first = await get()
      expect(first.status).toBe(200)
      const firstBody = (await first.json()) as { lifetime: { cycles: number } }
      expect(firstBody.lifetime.cycles).toBe(1)
      expect((await get()).headers.get('etag')).toBe(first.headers.get('etag'))
      await addDeployment(2, 1, 2)
      await new Promise((resolve) => setTimeout(resolve, 5))
      const after = await get()
      expect(((await after.json()) as { lifetime: { cycles: number } }).lifetime.cycles).toBe(2)
      expect(after.headers.get('etag')).not.toBe(first.headers.get('etag'))
    })
  })

  it('answers unknown keys from the known-keys filter without a store read, and finds a vehicle once an ingest adds it', async () => {
    let storeLookups = 0
    const counting = (reader: StorageAdapter): StorageAdapter => ({ ...reader, lookup: (key) => (storeLookups++, reader.lookup(key)) })
    await withLiveServer(counting, async ({ url, addDeployment }) => {
      const status = async (key: string): Promise<number> => (await fetch(`${url}/api/v1/vehicles/${key}`)).status
      await addDeployment(1, 1, 1)
      expect(await status('V0000000000000000001')).toBe(200)
      // The filter loads in the background after the first version check.
      const deadline = Date.now() + 5000
      for (;;) {
        storeLookups = 0
        expect(await status('UUUUUUUUUUUUUUUUUUUU')).toBe(404)
        if (storeLookups === 0 || Date.now() > deadline) break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      storeLookups = 0
      for (let i = 0; i < 20; i++) expect(await status(`U${String(i).padStart(19, '0')}`)).toBe(404)
      expect(await status('QQQQQ1')).toBe(404)
      expect(storeLookups).toBeLessThanOrEqual(1) // at most one false positive of the filter
      await addDeployment(2, 2, 2)
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(await status('V0000000000000000002')).toBe(200)
    })
  })

  it('the known-keys filter has every stored vehicle id and QR code, and rules out almost every other key', async () => {
    const known = (await KnownKeys.load(store.adapter)) as KnownKeys
    expect(known).not.toBeNull()
    for (const vehicle of store.reference.values()) {
      expect(known.mayHave({ type: 'vehicle_id', value: vehicle.vehicle_id })).toBe(true)
      if (vehicle.qr_code !== null) expect(known.mayHave({ type: 'qr_code', value: vehicle.qr_code })).toBe(true)
    }
    let falsePositives = 0
    for (let i = 0; i < 10_000; i++) if (known.mayHave({ type: 'vehicle_id', value: `X${String(i).padStart(19, '0')}` })) falsePositives++
    expect(falsePositives).toBeLessThan(300)
  })

  it('sends the reason phrase on every status line, from both servers', async () => {
    const { request } = await import('node:http')
    const statusLine = (url: string): Promise<string> =>
      new Promise((resolve, reject) => {
        request(url, (response) => {
          response.resume()
          resolve(`${response.statusCode} ${response.statusMessage}`)
        })
          .on('error', reject)
          .end()
      })
    for (const base of [server.url, fastServer.url]) {
      expect(await statusLine(`${base}/api/v1/vehicles/${store.sample.vehicle_id}`)).toBe('200 OK')
      expect(await statusLine(`${base}/api/v1/vehicles/bad-key`)).toBe('400 Bad Request')
      expect(await statusLine(`${base}/api/v1/vehicles/AAAAAAAAAAAAAAAAAAAA`)).toBe('404 Not Found')
      expect(await statusLine(`${base}/nothing-here`)).toBe('404 Not Found')
      expect(await statusLine(`${base}/healthz`)).toBe('200 OK')
    }
  })

  it('refuses a port already in use with a plain message', async () => {
    await expect(serveNode({ app, port: Number(new URL(server.url).port) })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('already in use') })
  })

  it('exports its public API by name', async () => {
    expect(Object.keys(await import('@vehicle-perf/http')).sort()).toMatchInlineSnapshot(`
      [
        "RETRY_AFTER_SECONDS",
        "createApp",
        "createNodeListener",
        "createVehicleLookup",
        "healthReply",
        "problemReply",
        "readinessReply",
        "registerVehiclePerfRoutes",
        "renderErrorPage",
        "renderReportPage",
        "replyToLookup",
        "reportReply",
        "reportViewOf",
        "requestInfoOf",
        "serveNode",
        "statusOfError",
        "toWebResponse",
        "validateRedirectTemplate",
        "validateTiles",
        "vehicleApiReply",
      ]
    `)
  })
})
