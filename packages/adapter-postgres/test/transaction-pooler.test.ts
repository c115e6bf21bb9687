import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { beforeAll, describe, expect, inject, test } from 'vitest'
import { generate, ingest, type VehicleKey } from '@vehicle-perf/core'
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

  test('without transactionPooler, PgBouncer refuses the connection settings and the store says so, classified, with what to do', async () => {
    const adapter = createPostgresStorage({ connectionString: pooled, schema: 'vp_pooled_refused' })
    try {
      await expect(adapter.migrate()).rejects.toMatchObject({
        code: 'store_unreachable',
        message: expect.stringMatching(/unsupported startup parameter.*behind PgBouncer in transaction mode\? Say transactionPooler: true \(\?pooler=transaction in a URL\)/),
      })
    } finally {
      await adapter.close()
    }
  })

  test('without transactionPooler, a host pool behind PgBouncer meets another client\'s named statement; the error says what to do', async () => {
    const schema = `vp_pooled_${randomBytes(6).toString('hex')}`
    const dir = mkdtempSync(join(tmpdir(), 'vp-pooled-'))
    const setup = createPostgresStorage({ connectionString: pooled, schema, transactionPooler: true })
    // Two hosts' pools of one connection each: PgBouncer hands the server connection one used last to the other.
    const [poolA, poolB] = [new pg.Pool({ connectionString: pooled, max: 1 }), new pg.Pool({ connectionString: pooled, max: 1 })]
    const [a, b] = [createPostgresStorage({ pool: poolA, schema }), createPostgresStorage({ pool: poolB, schema })]
    try {
      await setup.migrate()
      generate({ outDir: dir, scale: 0.01, seed: 4 })
      await ingest({ adapter: setup, sources: [dir] })
      const [key] = (await setup.listKeys(1)[Symbol.asyncIterator]().next()).value.keys as VehicleKey[]
      await a.lookup(key as VehicleKey)
      await expect(b.lookup(key as VehicleKey)).rejects.toMatchObject({
        code: 'store_unreachable',
        message: expect.stringMatching(/prepared statement .* already exists; behind PgBouncer in transaction mode\? Say transactionPooler: true/),
      })
    } finally {
      await Promise.all([a.close(), b.close(), setup.close()])
      await Promise.all([poolA.end(), poolB.end()])
      await withClient(direct, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
