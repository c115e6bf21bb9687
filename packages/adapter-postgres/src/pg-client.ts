import pg from 'pg'

/** The client a query runs on: the pool (any connection) or one connection (a run's transaction). */
export type QueryClient = pg.Pool | pg.PoolClient

/**
 * The subset of a `pg.Pool` the adapter uses, so that the host's pool is
 * accepted as it is (typed structurally, as kysely types its drivers).
 */
export interface PostgresPool {
  connect(): Promise<unknown>
  query(text: string, values?: unknown[]): Promise<unknown>
  end(): Promise<void>
}

const INT8 = 20

/**
 * int8 as a JS number: every int8 here is an epoch ms, a seq, a count or
 * cents, all below 2^53. pg returns them as strings by default.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format ?? 'text')
  },
}

/**
 * Runs a statement and returns its rows as arrays of values, int8 as
 * numbers. A `name` makes it a prepared statement on each connection
 * (parsed and planned once there): for the statements of the hot path.
 */
export async function queryRows<Row extends unknown[] = unknown[]>(client: QueryClient, text: string, values: unknown[] = [], name?: string): Promise<Row[]> {
  const result = await client.query<Row>({ text, values, rowMode: 'array', types, ...(name === undefined ? {} : { name }) } as pg.QueryArrayConfig)
  return result.rows
}

/** Runs a statement for its effect. */
export async function execute(client: QueryClient, text: string, values: unknown[] = []): Promise<void> {
  await client.query(text, values)
}
