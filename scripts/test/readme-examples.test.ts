// Each package README's first example, run as a user would paste it: a
// .mts file next to the demo data (`pnpm start`'s: scale 1, seed 42), run
// with `node --import tsx/esm`. The PostgreSQL one gets DATABASE_URL (a
// database of its own on the test server); the server one gets PORT.
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { generate } from '@vehicle-perf/core'
import { freePort } from '../test-support/free-port.js'
import { withClient } from '../../packages/adapter-postgres/test/store-contents.js'

const root = join(import.meta.dirname, '../..')
// The loader by its path: the examples run in a temp folder, outside this repository's node_modules.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href
const work = mkdtempSync(join(tmpdir(), 'vp-readme-'))

beforeAll(() => {
  generate({ outDir: join(work, 'data'), scale: 1, seed: 42 })
}, 60_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The first TypeScript block of a package's README. */
function firstExample(pkg: string): string {
  const readme = readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8')
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(readme)?.[1]
  if (block === undefined) throw new Error(`packages/${pkg}/README.md has no ts example`)
  return block
}

/** Runs an example file in the work folder (sources through the repository's tsconfig), as `node --import tsx/esm`. */
function runExample(name: string, code: string, env: Record<string, string> = {}): string {
  const file = join(work, `${name}.mts`)
  writeFileSync(file, code)
  return execFileSync(process.execPath, ['--import', tsxLoader, file], { cwd: work, encoding: 'utf8', env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'), ...env } })
}

describe('the README examples', () => {
  it('core: ingests the demo data into the memory store and looks a vehicle up by QR code', () => {
    const out = runExample('core', firstExample('core'))
    expect(out).toContain('rows_read')
    expect(out).toContain('"qr_code":"JN6O2T"')
  }, 120_000)

  it('adapter-sqlite: the same into ./vehicle-perf.db', () => {
    const out = runExample('sqlite', firstExample('adapter-sqlite'))
    expect(out).toContain('"qr_code":"JN6O2T"')
  }, 120_000)

  it('http: serves ./vehicle-perf.db and answers the URL it prints, then stops on SIGTERM', async () => {
    const file = join(work, 'http.mts')
    writeFileSync(file, firstExample('http'))
    const port = await freePort()
    const child = spawn(process.execPath, ['--import', tsxLoader, file], { cwd: work, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'), PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const deadline = Date.now() + 30_000
    while (!out.includes('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    const url = out.trim()
    expect(url).toBe(`http://127.0.0.1:${port}/api/v1/vehicles/JN6O2T`)
    const answer = await fetch(url)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ qr_code: 'JN6O2T' })
    child.kill('SIGTERM')
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0)
  }, 120_000)

  it('adapter-postgres: the same into PostgreSQL at DATABASE_URL', async () => {
    const database = `vp_readme_${randomBytes(4).toString('hex')}`
    const server = inject('databaseUrl')
    await withClient(server, async (client) => void (await client.query(`CREATE DATABASE ${database}`)))
    try {
      const url = new URL(server)
      url.pathname = `/${database}`
      const out = runExample('postgres', firstExample('adapter-postgres'), { DATABASE_URL: url.toString() })
      expect(out).toContain('"qr_code":"JN6O2T"')
    } finally {
      await withClient(server, async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)))
    }
  }, 120_000)
})
