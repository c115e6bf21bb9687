import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { generate, ingest, type StorageAdapter } from '@vehicle-perf/core'
import { createNodeListener, serveNode } from '@vehicle-perf/http'
import { eventually } from './eventually.js'
import { keepRequesting } from './load.js'
import { deploymentsCsv } from './operations-csv.js'

/**
 * A server on `reader` under steady load while `writer` ingests a batch
 * (data generated in `dir`): no request fails or gets a 5xx, and the new
 * data is served once the run commits. Any store; both adapters on one store.
 */
export async function expectNoFailedRequestDuringIngest(writer: StorageAdapter, reader: StorageAdapter, dir: string): Promise<void> {
  await writer.migrate()
  await ingest({ adapter: writer, sources: [{ name: 'deployments_0.csv', stream: [deploymentsCsv(1, 50)] }] })
  generate({ outDir: join(dir, 'data'), scale: 0.3, seed: 12 })
  const server = await serveNode({ app: createNodeListener({ adapter: reader }), port: 0, host: '127.0.0.1' })
  try {
    const paths = ['/api/v1/vehicles/V0000000000000000001', '/api/v1/vehicles/V0000000000000000002', '/api/v1/vehicles/unknown0000000000000', '/api/v1/vehicles/bad-key', '/readyz']
    const load = keepRequesting(server.url, paths)
    const report = await ingest({ adapter: writer, sources: [join(dir, 'data')] })
    const someNew = readFileSync(join(dir, 'data', 'deployments_2019-05-01.csv'), 'utf8').split('\n')[1]?.split(',')[1] as string
    await eventually(async () => (await fetch(`${server.url}/api/v1/vehicles/${someNew}`)).status === 200, 5000)
    const { statuses, failures, requests } = await load.stop()
    expect(report.status).toBe('succeeded')
    expect(failures).toBe(0)
    expect(requests).toBeGreaterThan(100)
    expect(Object.keys(statuses).map(Number).every((status) => status < 500)).toBe(true)
  } finally {
    await server.close()
  }
}
