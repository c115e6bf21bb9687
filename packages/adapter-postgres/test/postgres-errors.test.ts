import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { expect, inject, test } from 'vitest'
import { classify } from '../src/postgres-errors.js'
import { withClient } from './store-contents.js'

const url = inject('databaseUrl')

/**
 * A real serialization failure (SQLSTATE 40001), the code a hot standby
 * also cancels a read with when it conflicts with replaying the primary's
 * changes: two serializable transactions that each read what the other
 * writes.
 */
async function serializationFailure(): Promise<unknown> {
  const table = `vp_conflict_${randomBytes(4).toString('hex')}`
  await withClient(url, (client) => client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, value int); INSERT INTO ${table} VALUES (1, 0), (2, 0)`))
  const [a, b] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })]
  await Promise.all([a.connect(), b.connect()])
  try {
    for (const client of [a, b]) await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE')
    await a.query(`SELECT sum(value) FROM ${table}`)
    await b.query(`SELECT sum(value) FROM ${table}`)
    await a.query(`UPDATE ${table} SET value = 1 WHERE id = 1`)
    await b.query(`UPDATE ${table} SET value = 1 WHERE id = 2`)
    await a.query('COMMIT')
    return await b.query('COMMIT').then(
      () => null,
      (error: unknown) => error,
    )
  } finally {
    await Promise.all([a.end(), b.end()])
    await withClient(url, (client) => client.query(`DROP TABLE ${table}`))
  }
}

test('a serialization failure or a standby\'s recovery conflict (40001) is store_busy, a retry-later 503, not internal', async () => {
  const error = await serializationFailure()
  expect((error as { code?: string }).code).toBe('40001')
  expect(classify(error, 'lookup failed on', 'schema x')).toMatchObject({ code: 'store_busy', message: expect.stringMatching(/^lookup failed on schema x: .*try again/) })
})
