import { randomBytes } from 'node:crypto'
import { describe, expect, inject, test } from 'vitest'
import { runStorageConformanceSuite, type ConformanceStore } from '@vehicle-perf/core/testing'
import { hostileCsvProperty } from '../../../scripts/test-support/hostile-csv-property.js'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { storeContentsOf, withClient } from './store-contents.js'

const url = inject('databaseUrl')

/** A schema of its own per test: tests never share state, and one server serves them all. */
function freshSchema(): string {
  return `vp_test_${randomBytes(6).toString('hex')}`
}

async function createStore(): Promise<ConformanceStore> {
  const schema = freshSchema()
  return {
    adapter: createPostgresStorage({ connectionString: url, schema, lockTimeoutMs: 20_000 }),
    readBack: () => storeContentsOf(url, schema),
    openAnother: async () => {
      const other = createPostgresStorage({ connectionString: url, schema, lockTimeoutMs: 20_000 })
      await other.migrate()
      return other
    },
    cleanup: () => withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))),
  }
}

runStorageConformanceSuite({ describe, test, expect, createStore })

describe('hostile CSV', () => hostileCsvProperty(createStore))
