// The packages as npm would publish them: `pnpm pack` tarballs, checked for
// what a developer who installs them needs, and a host app that installs
// them from the tarballs and type-checks with skipLibCheck off.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '../..')
const PACKAGES = ['core', 'adapter-sqlite', 'adapter-postgres', 'http', 'cli'] as const
const work = mkdtempSync(join(tmpdir(), 'vp-packed-'))
const tarballs = new Map<string, string>()

interface Manifest {
  name: string
  license?: string
  type?: string
  engines?: { node?: string }
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}
const manifest = (pkg: string): Manifest => JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as Manifest

beforeAll(() => {
  // Built by test:all before the tests run (dist/ is what a tarball holds).
  for (const pkg of PACKAGES) {
    const out = join(work, 'tarballs')
    mkdirSync(out, { recursive: true })
    const before = new Set(readdirSync(out))
    execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: join(root, 'packages', pkg), stdio: 'ignore' })
    const file = readdirSync(out).find((name) => !before.has(name)) as string
    tarballs.set(manifest(pkg).name, join(out, file))
  }
}, 120_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('the published packages', () => {
  it('each tarball holds its LICENSE, README, built code and types, and no sources or tests', () => {
    for (const pkg of PACKAGES) {
      const files = execFileSync('tar', ['-tzf', tarballs.get(manifest(pkg).name) as string], { encoding: 'utf8' }).trim().split('\n')
      for (const needed of ['package/LICENSE', 'package/README.md', 'package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts']) {
        expect([pkg, files.includes(needed)]).toEqual([pkg, true])
      }
      expect([pkg, files.filter((file) => /^package\/(src|test)\//.test(file))]).toEqual([pkg, []])
    }
  })

  it('each says it is MIT, ESM only and for Node >= 20, in its package.json and its README', () => {
    for (const pkg of PACKAGES) {
      const m = manifest(pkg)
      expect([pkg, m.license, m.type, m.engines?.node]).toEqual([pkg, 'MIT', 'module', '>=20'])
      expect([pkg, readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8').includes('ESM only, Node >= 20')]).toEqual([pkg, true])
    }
  })

  it('the CLI depends on better-sqlite3, h3 and pg through the ranges of the packages it wraps, so a host gets one copy', () => {
    const cli = manifest('cli').dependencies ?? {}
    expect(cli['better-sqlite3']).toBe(manifest('adapter-sqlite').peerDependencies?.['better-sqlite3'])
    expect(cli.h3).toBe(manifest('http').peerDependencies?.h3)
    expect(cli.pg).toBe(manifest('adapter-postgres').peerDependencies?.pg)
  })

  it('a host app installed from the tarballs type-checks against every package with skipLibCheck off', () => {
    const host = join(work, 'host')
    mkdirSync(host, { recursive: true })
    const local = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]))
    const versions = (name: string): string => (manifest('cli').dependencies?.[name] as string).replace(/^\^?/, '^')
    writeFileSync(
      join(host, 'package.json'),
      JSON.stringify({
        name: 'host-app',
        private: true,
        type: 'module',
        dependencies: { ...local, 'better-sqlite3': versions('better-sqlite3'), h3: versions('h3'), pg: versions('pg') },
        // h3's own declarations need crossws (its optional peer), lib ESNext (Error.isError) and DOM (web Request, Response): see the http README.
        devDependencies: { typescript: '5.9.3', '@types/node': '^20.19.0', crossws: '^0.4.15' },
        // The packages' own dependencies on each other resolve to the tarballs too.
        overrides: local,
      }),
    )
    writeFileSync(
      join(host, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ESNext', 'DOM', 'DOM.Iterable'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] }, include: ['app.ts'] }),
    )
    writeFileSync(
      join(host, 'app.ts'),
      `import { createMemoryStorage, ingest, lookupVehicle, type IngestReport, type StorageAdapter } from '@vehicle-perf/core'
import { runStorageConformanceSuite } from '@vehicle-perf/core/testing'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { createApp, createNodeListener, registerVehiclePerfRoutes, serveNode } from '@vehicle-perf/http'
import { openStore, runIngest, formatIngestReport } from '@vehicle-perf/cli'
import { H3 } from 'h3'

const stores: StorageAdapter[] = [createMemoryStorage(), createSqliteStorage({ filename: 'x.db' }), createPostgresStorage({ connectionString: 'postgres://localhost/x' })]
const report: IngestReport = await ingest({ adapter: stores[0] as StorageAdapter, sources: ['data/'] })
console.log(formatIngestReport(report), await lookupVehicle(stores[0] as StorageAdapter, 'JN6O2T'))
registerVehiclePerfRoutes(new H3(), { adapter: stores[1] as StorageAdapter }, '/fleet')
const server = await serveNode({ app: createNodeListener({ adapter: await openStore('sqlite:x.db', { readonly: true }) }), port: 0 })
void [createApp, runIngest, runStorageConformanceSuite, server]
`,
    )
    execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: host, stdio: 'pipe' })
    const tsc = join(host, 'node_modules/typescript/bin/tsc')
    let output = ''
    try {
      execFileSync(process.execPath, [tsc, '-p', host], { cwd: host, encoding: 'utf8' })
    } catch (error) {
      output = String((error as { stdout?: string }).stdout)
    }
    expect(output).toBe('')
  }, 300_000)
})
