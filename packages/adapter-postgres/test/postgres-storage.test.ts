import { randomBytes } from 'node:crypto'
import { describe, expect, inject, test } from 'vitest'
import { runStorageConformanceSuite } from '@vehicle-perf/core/testing'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { storeContentsOf, withClient } from './store-contents.js'

const url = inject('databaseUrl')

/** A schema of its own per test: tests never share state, and one server serves them all. */
function freshSchema(): string {
  return `vp_test_${randomBytes(6).toString('hex')}`
}

runStorageConformanceSuite({
  describe,
  test,
  expect,
  async createStore() {
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
  },
})
