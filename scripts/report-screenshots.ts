// Screenshots of the report page for the http README, made the way a user
// sees it: the demo data (`pnpm start`'s: scale 1, seed 42) in SQLite,
// `createApp` on node:http, headless Chromium at a phone's and a desktop's
// size. Usage: pnpm screenshots   (writes packages/http/docs/report-*.png)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { generate, ingest } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { createApp, serveNode } from '@vehicle-perf/http'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const KEY = 'JN6O2T'
const out = join(import.meta.dirname, '../packages/http/docs')
const work = mkdtempSync(join(tmpdir(), 'vp-screenshots-'))
try {
  generate({ outDir: join(work, 'data'), scale: 1, seed: 42 })
  const filename = join(work, 'demo.db')
  const writer = createSqliteStorage({ filename })
  await writer.migrate()
  await ingest({ adapter: writer, sources: [join(work, 'data')] })
  await writer.close()
  const adapter = createSqliteStorage({ filename, readonly: true })
  const server = await serveNode({ app: createApp({ adapter }), port: 0 })
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] })
  mkdirSync(out, { recursive: true })
  for (const [name, width, height, scale] of [['phone', 390, 844, 2], ['desktop', 1280, 900, 1]] as const) {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: scale })
    await page.goto(`${server.url}/report/v1/vehicles/${KEY}`)
    await page.screenshot({ path: join(out, `report-${name}.png`), fullPage: true })
    await page.close()
    console.log(`wrote ${join(out, `report-${name}.png`)}`)
  }
  await browser.close()
  await server.close()
  await adapter.close()
} finally {
  rmSync(work, { recursive: true, force: true })
}
