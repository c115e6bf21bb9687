import { randomBytes } from 'node:crypto'
import { describe, inject } from 'vitest'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { killMatrix } from '../../../scripts/test-support/kill-matrix.js'
import { storeContentsOf, withClient } from './store-contents.js'

const url = inject('databaseUrl')

describe('a PostgreSQL ingest killed at each phase', () => {
  killMatrix(async () => {
    const schema = `vp_test_${randomBytes(6).toString('hex')}`
    const setup = createPostgresStorage({ connectionString: url, schema })
    await setup.migrate()
    await setup.close()
    const spec = new URL(url)
    spec.searchParams.set('schema', schema)
    return {
      spec: spec.toString(),
      writer: (tempDir) => createPostgresStorage({ connectionString: url, schema, tempDir }),
      reader: () => createPostgresStorage({ connectionString: url, schema, readOnly: true }),
      contents: () => storeContentsOf(url, schema),
      cleanup: () => withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))),
    }
  })
})
