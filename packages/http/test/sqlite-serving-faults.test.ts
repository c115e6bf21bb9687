import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ingest } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { createNodeListener, serveNode } from '@vehicle-perf/http'
import { eventually } from '../../../scripts/test-support/eventually.js'
import { expectNoFailedRequestDuringIngest } from '../../../scripts/test-support/ingest-under-load.js'
import { deploymentsCsv } from '../../../scripts/test-support/operations-csv.js'

describe('serving a SQLite store through faults', () => {
  test('an ingest while the server is under load fails no request, and the new data is served once the run commits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-sqlite-load-'))
    const filename = join(dir, 'store.db')
    const writer = createSqliteStorage({ filename })
    const reader = createSqliteStorage({ filename, readonly: true, readSnapshotMs: 10 })
    try {
      await expectNoFailedRequestDuringIngest(writer, reader, dir)
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
