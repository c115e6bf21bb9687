/// <reference lib="dom" />
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, serveNode, type RunningServer } from '@vehicle-perf/http'
import { createFixtureStore, type FixtureStore } from './fixture-store.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const OUTPUT = join(import.meta.dirname, '..', 'test-output')
// The launch flags keep Chromium from calling home: this machine has no network.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

let store: FixtureStore
let server: RunningServer
let context: BrowserContext
let profileDir: string

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/ensure-system-deps.sh (or set CHROMIUM_PATH)`)
  store = await createFixtureStore()
  server = await serveNode({ app: createApp({ adapter: store.adapter }), port: 0 })
  profileDir = mkdtempSync(join(tmpdir(), 'vp-chromium-'))
  context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  mkdirSync(OUTPUT, { recursive: true })
}, 120_000)
afterAll(async () => {
  await context?.close()
  await server?.close()
  await store?.cleanup()
  if (profileDir) rmSync(profileDir, { recursive: true, force: true })
})

function valueAt(document: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | null)?.[part], document)
}

describe.each([
  ['phone', 360, 780],
  ['desktop', 1280, 900],
])('the report page in Chromium on a %s', (device, width, height) => {
  it('shows the same figures as the JSON endpoint, with no console error and no request leaving the server', async () => {
    const page = await context.newPage()
    await page.setViewportSize({ width, height })
    const consoleErrors: string[] = []
    const requests: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(error.message))
    page.on('request', (request) => requests.push(request.url()))

    const qr = (store.sample.qr_code as string).toLowerCase()
    const response = await page.goto(`${server.url}/report/v1/vehicles/${qr}`)
    expect(response?.status()).toBe(200)
    const json = (await (await fetch(`${server.url}/api/v1/vehicles/${qr}`)).json()) as Record<string, unknown>

    const fields = await page.$$eval('[data-field]', (elements) => elements.map((e) => [e.getAttribute('data-field'), e.getAttribute('data-value')]))
    expect(fields.length).toBeGreaterThan(15)
    for (const [field, value] of fields) expect([field, JSON.parse(value as string)]).toEqual([field, valueAt(json, field as string)])

    const headings = await page.$$eval('h1, h2', (elements) => elements.map((e) => e.textContent))
    expect(headings[0]).toContain(store.sample.qr_code)
    expect(await page.$$eval('svg[role="img"] title', (titles) => titles.length)).toBeGreaterThanOrEqual(3)
    expect(await page.$$eval('th[scope="col"]', (cells) => cells.length)).toBeGreaterThan(0)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)

    await page.screenshot({ path: join(OUTPUT, `report-${device}.png`), fullPage: true })
    expect(consoleErrors).toEqual([])
    expect(requests.filter((url) => !url.startsWith(server.url))).toEqual([])
    await page.close()
  })
})

describe('the report page controls in Chromium on a phone', () => {
  it('the time window and the cycle picker change what is shown through plain links, without a script', async () => {
    const vehicle = [...store.reference.values()].find((r) => r.lifetime.cycles >= 4 && r.qr_code !== null) as Record<string, unknown> & { vehicle_id: string; lifetime: { cycles: number } }
    expect(vehicle).toBeDefined()
    const page = await context.newPage()
    await page.setViewportSize({ width: 360, height: 780 })
    await page.goto(`${server.url}/report/v1/vehicles/${vehicle.vehicle_id}`)
    const shownCycles = async (): Promise<number> => Number(await page.getAttribute('[data-history="window.cycles"]', 'data-value'))
    const pickedCycle = async (): Promise<number> => Number(await page.getAttribute('[data-picked-cycle]', 'data-picked-cycle'))
    // By default: the whole life, the latest cycle picked.
    expect(await shownCycles()).toBe(vehicle.lifetime.cycles)
    expect(await pickedCycle()).toBe(vehicle.lifetime.cycles - 1)
    expect(await page.getAttribute('[data-window="all"]', 'aria-current')).toBe('page')
    expect(await page.$$eval('tbody tr[data-cycle]', (rows) => rows.length)).toBe(vehicle.lifetime.cycles)

    // Tap the oldest cycle in the picker: its rides replace the latest's.
    const latestHeading = await page.textContent('#cycle-h')
    await page.click('tbody tr[data-cycle="0"] a')
    await page.waitForURL(/cycle=0/)
    expect(await pickedCycle()).toBe(0)
    expect(await page.textContent('#cycle-h')).not.toBe(latestHeading)
    expect(await page.getAttribute('tbody tr[data-cycle="0"]', 'aria-current')).toBe('true')
    const oldestRides = Number(await page.getAttribute('[data-history="cycle.ride_count"]', 'data-value'))
    expect(await page.$$eval('[data-picked-cycle] tbody tr', (rows) => rows.length)).toBe(oldestRides)

    // Tap "7 days": only the cycles of the last week remain; the oldest is gone from the picker.
    await page.click('[data-window="7"]')
    await page.waitForURL(/window=7/)
    expect(await page.getAttribute('[data-window="7"]', 'aria-current')).toBe('page')
    const weekCycles = await shownCycles()
    expect(weekCycles).toBeLessThan(vehicle.lifetime.cycles)
    expect(await page.$$eval('tbody tr[data-cycle]', (rows) => rows.length)).toBe(weekCycles)
    expect(await page.$('tbody tr[data-cycle="0"]')).toBeNull()
    await page.close()
  })
})
