import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generate, ingest, lookupVehicle } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'

const root = join(import.meta.dirname, '../../..')
const example = join(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'vp-example-server-'))
const store = join(work, 'demo.db')

/** The demo store `pnpm start` builds: scale 1, seed 42. */
beforeAll(async () => {
  generate({ outDir: join(work, 'demo'), scale: 1, seed: 42 })
  const adapter = createSqliteStorage({ filename: store })
  await adapter.migrate()
  await ingest({ adapter, sources: [join(work, 'demo')] })
  await adapter.close()
}, 120_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Every README of the repository: the root's, each package's and each example's. */
function readmes(): string[] {
  const folders = ['packages', 'examples'].flatMap((parent) => readdirSync(join(root, parent)).map((name) => join(root, parent, name)))
  return [root, ...folders].map((folder) => join(folder, 'README.md')).filter((path) => existsSync(path))
}

describe('examples/server as its README says', () => {
  it('answers the example URLs of its README from the demo store', async () => {
    const readme = readFileSync(join(example, 'README.md'), 'utf8')
    const urls = [...readme.matchAll(/^curl (http:\/\/127\.0\.0\.1:3000\S+)$/gm)].map((match) => match[1] as string)
    expect(urls.length).toBeGreaterThanOrEqual(4)
    // As the README starts it (pnpm runs `start` in this folder), on a free port.
    const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], { cwd: example, env: { ...process.env, DATABASE_URL: `sqlite:${store}`, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
      const deadline = Date.now() + 30_000
      while (!output.includes('"listening"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      const { url } = JSON.parse(output.split('\n').find((line) => line.includes('"listening"')) as string) as { url: string }
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      for (const example of urls) {
        const response = await fetch(example.replace('http://127.0.0.1:3000', url))
        expect([example, response.status]).toEqual([example, 200])
      }
    } finally {
      child.kill('SIGTERM')
    }
  }, 60_000)

  it('stops at once with a message to ingest first when its SQLite store does not exist', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], { cwd: example, env: { ...process.env, DATABASE_URL: `sqlite:${join(work, 'missing.db')}`, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(code).toBe(1)
    expect(output).toMatch(/"level":"fatal","msg":"no store at .*missing\.db: ingest data into it first"/)
  }, 60_000)

  it('every vehicle id and QR code in every README exists in the demo data', async () => {
    const adapter = createSqliteStorage({ filename: store, readonly: true })
    try {
      const keys = new Set<string>()
      for (const path of readmes()) {
        const text = readFileSync(path, 'utf8')
        for (const match of text.matchAll(/\/vehicles\/([A-Za-z0-9]{20}|[A-Za-z0-9]{6})\b/g)) keys.add(match[1] as string)
        for (const match of text.matchAll(/vehicle-perf lookup ((?:[A-Za-z0-9]{6,20} ?)+)/g)) for (const key of (match[1] as string).trim().split(' ')) keys.add(key)
        for (const match of text.matchAll(/lookupVehicle\([^,]+, '([^']+)'\)/g)) keys.add(match[1] as string)
      }
      expect(keys.size).toBeGreaterThanOrEqual(2)
      for (const key of keys) expect([key, (await lookupVehicle(adapter, key)).status]).toEqual([key, 200])
    } finally {
      await adapter.close()
    }
  }, 60_000)
})
