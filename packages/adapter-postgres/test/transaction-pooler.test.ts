import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, inject, test } from 'vitest'
import { runStorageConformanceSuite, type ConformanceStore } from '@vehicle-perf/core/testing'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { storeContentsOf, withClient } from './store-contents.js'

// The store behind PgBouncer in transaction mode (scripts/postgres.sh
// pooler: 4 server connections, PgBouncer's strict startup parameters), as
// hosted PostgreSQL often offers it. The role is set up as the README says:
// the read timeouts the adapter cannot send at connect are the role's.

const direct = inject('databaseUrl')
/** The role the pooled adapters log in as; scripts/postgres.sh lists it in PgBouncer's users. */
const ROLE = 'vehicle_perf_pooled'
const pooled = (() => {
  const url = new URL(inject('poolerUrl'))
  url.username = ROLE
  return url.toString()
})()

beforeAll(async () => {
  await withClient(direct, async (client) => {
    await client.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}') THEN CREATE ROLE ${ROLE} LOGIN; END IF; END $$`)
    await client.query(`ALTER ROLE ${ROLE} SET statement_timeout = '5s'`)
    await client.query(`ALTER ROLE ${ROLE} SET lock_timeout = '1s'`)
    await client.query(`GRANT CREATE ON DATABASE ${new URL(direct).pathname.slice(1) || 'postgres'} TO ${ROLE}`)
  })
})

async function createStore(): Promise<ConformanceStore> {
  const schema = `vp_pooled_${randomBytes(6).toString('hex')}`
  const open = () => createPostgresStorage({ connectionString: pooled, schema, transactionPooler: true, lockTimeoutMs: 20_000 })
  return {
    adapter: open(),
    readBack: () => storeContentsOf(direct, schema),
    openAnother: async () => {
      const other = open()
      await other.migrate()
      return other
    },
    cleanup: () => withClient(direct, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))),
  }
}

describe('behind PgBouncer in transaction mode (transactionPooler)', () => {
  runStorageConformanceSuite({ describe, test, expect, createStore })

  test('without transactionPooler, PgBouncer refuses the connection settings and the store says so, classified', async () => {
    const adapter = createPostgresStorage({ connectionString: pooled, schema: 'vp_pooled_refused' })
    try {
      await expect(adapter.migrate()).rejects.toMatchObject({ code: 'store_unreachable', message: expect.stringContaining('unsupported startup parameter') })
    } finally {
      await adapter.close()
    }
  })
})
