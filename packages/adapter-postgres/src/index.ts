// @vehicle-perf/adapter-postgres: PostgreSQL storage, and reads from hot standbys.

export { createPostgresStorage, type PostgresStorageOptions } from './postgres-storage.js'
export type { PostgresPool } from './pg-client.js'
