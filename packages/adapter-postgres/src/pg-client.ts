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

/** A connection held across statements, and whether the server has ended it. */
export interface WatchedConnection {
  /** The error the connection ended with, or null while it is open. */
  lost(): unknown
  /** Stops watching, before the connection goes back to the pool (which watches its idle ones itself). */
  unwatch(): void
}

/**
 * Watches a pooled connection held across statements (a run, a migration).
 * The server may end it between two of them (pg_terminate_backend, a
 * failover, a crashed backend): pg reports that as an 'error' event, which
 * on a checked-out connection nothing else listens to, and an 'error' event
 * without a listener ends the process. Here it is kept, and the next
 * statement fails as the store's error instead.
 */
export function watchConnection(client: pg.PoolClient): WatchedConnection {
  let lost: unknown = null
  const onError = (error: unknown): void => {
    lost ??= error
  }
  client.on('error', onError)
  return {
    lost: () => lost,
    unwatch: () => void client.removeListener('error', onError),
  }
}

/** Runs `work` between BEGIN and COMMIT on `client`; a failure is left to the caller to roll back. */
export async function inTransaction<C extends QueryClient, T>(client: C, work: (client: C) => Promise<T>): Promise<T> {
  await execute(client, 'BEGIN')
  const result = await work(client)
  await execute(client, 'COMMIT')
  return result
}

/**
 * Runs `work` in a transaction on a pooled connection of its own, watched:
 * committed when it returns, rolled back when it throws (the server's own
 * error when it ended the connection), and the connection given back, or
 * dropped after a failure. Errors are the driver's: callers classify them.
 */
export async function inOwnTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  const connection = watchConnection(client)
  let failed = false
  try {
    return await inTransaction(client, work)
  } catch (error) {
    failed = true
    await client.query('ROLLBACK').catch(() => {})
    throw connection.lost() ?? error
  } finally {
    connection.unwatch()
    client.release(failed ? true : undefined)
  }
}
