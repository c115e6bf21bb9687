import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { generate, ingest } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { createNodeListener, serveNode } from '@vehicle-perf/http'
import { eventually } from '../../../scripts/test-support/eventually.js'
import { keepRequesting } from '../../../scripts/test-support/load.js'
import { deploymentsCsv } from '../../../scripts/test-support/operations-csv.js'

describe('serving a SQLite store through faults', () => {
  test('an ingest while the server is under load fails no request, and the new data is served once the run commits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-load-'))
    const filename = join(dir, 'store.db')
    const writer = createSqliteStorage({ filename })
    const reader = createSqliteStorage({ filename, readonly: true, readSnapshotMs: 10 })
    try {
      await writer.migrate()
      await ingest({ adapter: writer, sources: [{ name: 'deployments_0.csv', stream: [deploymentsCsv(1, 50)] }] })
      generate({ outDir: join(dir, 'data'), scale: 0.3, seed: 12 })
      const server = await serveNode({ app: createNodeListener({ adapter: reader }), port: 0, host: '127.0.0.1' })
      const paths = ['/api/v1/vehicles/V0000000000000000001', '/api/v1/vehicles/V0000000000000000002', '/api/v1/vehicles/unknown0000000000000', '/api/v1/vehicles/bad-key', '/readyz']
      const load = keepRequesting(server.url, paths)
      const report = await ingest({ adapter: writer, sources: [join(dir, 'data')] })
      const someNew = readFileSync(join(dir, 'data', 'deployments_2019-05-01.csv'), 'utf8').split('\n')[1]?.split(',')[1] as string
      await eventually(async () => (await fetch(`${server.url}/api/v1/vehicles/${someNew}`)).status === 200, 5000)
      const { statuses, failures, requests } = await load.stop()
      await server.close()
      expect(report.status).toBe('succeeded')
      expect(failures).toBe(0)
      expect(requests).toBeGreaterThan(100)
      expect(Object.keys(statuses).map(Number).every((status) => status < 500)).toBe(true)
    } finally {
      await reader.close()
      await writer.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  test('a store file removed under a running server answers 503 with Retry-After at once, and 200 again once it is back, without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-gone-'))
    const filename = join(dir, 'store.db')
    const writer = createSqliteStorage({ filename })
    await writer.migrate()
    await ingest({ adapter: writer, sources: [{ name: 'deployments_0.csv', stream: [deploymentsCsv(1, 50)] }] })
    await writer.close()
    const reader = createSqliteStorage({ filename, readonly: true, readSnapshotMs: 10 })
    const server = await serveNode({ app: createNodeListener({ adapter: reader, cache: false, onError: () => {} }), port: 0, host: '127.0.0.1' })
    try {
      const path = `${server.url}/api/v1/vehicles/V0000000000000000001`
      expect((await fetch(path)).status).toBe(200)
      copyFileSync(filename, join(dir, 'kept.db'))
      rmSync(filename)
      await eventually(async () => {
        const answer = await fetch(path)
        return answer.status === 503 && answer.headers.get('retry-after') === '5'
      }, 3000)
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503)
      renameSync(join(dir, 'kept.db'), filename)
      await eventually(async () => (await fetch(path)).status === 200, 3000)
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
    } finally {
      await server.close()
      await reader.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
