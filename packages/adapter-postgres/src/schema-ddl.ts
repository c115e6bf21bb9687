import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core'
import { TABLE_STORAGE, UNCOMPRESSED_COLUMNS } from './schema.js'

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * CREATE statements for a table as its drizzle definition says (columns,
 * types, NOT NULL, primary keys, indexes), idempotent: the schema is
 * defined once, in schema.ts, and never written out again by hand.
 * Only what schema.ts uses is supported; anything else throws.
 */
export interface TableStatements {
  /** CREATE TABLE, then the storage of its uncompressed columns. */
  table: string
  /** Each index (not the primary key) by name, with its CREATE. */
  indexes: { name: string; create: string }[]
  /** The primary key's constraint and how to add it back (a bulk load drops it first). */
  primaryKey: { constraint: string; add: string } | null
  /** Every column a key or an index is on, quoted: what the store's queries look rows up by. */
  indexedColumns: string[]
}

export function createStatements(table: PgTable): TableStatements {
  const config = getTableConfig(table)
  const qualified = `${quote(config.schema ?? 'public')}.${quote(config.name)}`
  if (config.foreignKeys.length > 0 || config.checks.length > 0 || config.uniqueConstraints.length > 0) {
    throw new Error(`schema-ddl: ${config.name} uses a constraint this generator does not write`)
  }
  const lines = config.columns.map((column) => {
    if (column.hasDefault && column.getSQLType() !== 'bigserial') throw new Error(`schema-ddl: ${config.name}.${column.name} has a default this generator does not write`)
    return `${quote(column.name)} ${column.getSQLType()}${column.notNull ? ' NOT NULL' : ''}${column.primary ? ' PRIMARY KEY' : ''}`
  })
  for (const key of config.primaryKeys) lines.push(`PRIMARY KEY (${key.columns.map((column) => quote(column.name)).join(', ')})`)
  const keyColumns = config.primaryKeys[0]?.columns.map((column) => column.name) ?? config.columns.filter((column) => column.primary).map((column) => column.name)
  // PostgreSQL names a table's primary key <table>_pkey.
  const constraint = `${config.name}_pkey`
  const primaryKey = keyColumns.length === 0 ? null : { constraint, add: `ALTER TABLE ${qualified} ADD CONSTRAINT ${quote(constraint)} PRIMARY KEY (${keyColumns.map(quote).join(', ')})` }
  const indexedColumns = new Set(keyColumns.map(quote))
  const indexes = config.indexes.map((index) => {
    const name = index.config.name
    if (name === undefined) throw new Error(`schema-ddl: an index of ${config.name} has no name`)
    const columns = index.config.columns.map((column) => {
      if (!('name' in column) || typeof column.name !== 'string') throw new Error(`schema-ddl: index ${name} is on an expression`)
      const quoted = quote(column.name)
      indexedColumns.add(quoted)
      return quoted
    })
    return { name, create: `CREATE ${index.config.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quote(name)} ON ${qualified} (${columns.join(', ')})` }
  })
  const storage = TABLE_STORAGE[config.name]
  const uncompressed = (UNCOMPRESSED_COLUMNS[config.name] ?? []).map((column) => `;\nALTER TABLE ${qualified} ALTER COLUMN ${quote(column)} SET STORAGE EXTERNAL`).join('')
  return { table: `CREATE TABLE IF NOT EXISTS ${qualified} (\n  ${lines.join(',\n  ')}\n)${storage === undefined ? '' : ` WITH (${storage})`}${uncompressed}`, indexes, primaryKey, indexedColumns: [...indexedColumns] }
}
