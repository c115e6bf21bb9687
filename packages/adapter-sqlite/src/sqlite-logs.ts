import type Database from 'better-sqlite3'
import type { DuplicateClass, LogFilter, LoggedDuplicate, LoggedReject, OperationRow, RejectReason, RowKind } from '@vehicle-perf/core'

// The runs' reject and duplicate logs, read in pages by id (keyset): memory
// stays bounded, and the order is the order they were logged.

const PAGE_ROWS = 500

interface Where {
  sql: string
  params: (string | number)[]
}

function whereOf(filter: LogFilter, table: 'rejected_rows' | 'duplicate_rows'): Where {
  const clauses: string[] = []
  const params: (string | number)[] = []
  const equal = (column: string, value: string | undefined): void => {
    if (value === undefined) return
    clauses.push(`${column} = ?`)
    params.push(value)
  }
  equal('run_id', filter.runId)
  equal('source', filter.source)
  equal('kind', filter.kind)
  if (table === 'rejected_rows' && filter.reason !== undefined) {
    // reasons is a comma-separated list: match a whole item.
    clauses.push(`instr(',' || reasons || ',', ?) > 0`)
    params.push(`,${filter.reason},`)
  }
  if (table === 'duplicate_rows') equal('classification', filter.classification)
  return { sql: clauses.map((clause) => ` AND ${clause}`).join(''), params }
}

function* pages<Row extends { id: number }>(db: Database.Database, table: 'rejected_rows' | 'duplicate_rows', columns: string, filter: LogFilter): Generator<Row[]> {
  const where = whereOf(filter, table)
  const page = db.prepare(`SELECT id, ${columns} FROM ${table} WHERE id > ?${where.sql} ORDER BY id LIMIT ${PAGE_ROWS}`)
  let after = 0
  for (;;) {
    const rows = page.all(after, ...where.params) as Row[]
    if (rows.length === 0) return
    yield rows
    after = (rows.at(-1) as Row).id
  }
}

interface RejectRow {
  id: number
  run_id: string
  source: string
  line: number
  kind: RowKind
  fields: string
  truncated: number
  reasons: string
}

/** Pages of logged rejects, in the order they were logged. */
export function* rejectPages(db: Database.Database, filter: LogFilter): Generator<LoggedReject[]> {
  for (const rows of pages<RejectRow>(db, 'rejected_rows', 'run_id, source, line, kind, fields, truncated, reasons', filter)) {
    yield rows.map((r) => ({
      runId: r.run_id,
      source: r.source,
      line: r.line,
      kind: r.kind,
      fields: JSON.parse(r.fields) as string[],
      truncated: r.truncated === 1,
      reasons: r.reasons.split(',') as RejectReason[],
    }))
  }
}

interface DuplicateRow {
  id: number
  run_id: string
  kind: RowKind
  key: string
  source: string
  line: number
  classification: DuplicateClass
  kept: string | null
  incoming: string | null
}

export function* duplicatePages(db: Database.Database, filter: LogFilter): Generator<LoggedDuplicate[]> {
  for (const rows of pages<DuplicateRow>(db, 'duplicate_rows', 'run_id, kind, key, source, line, classification, kept, incoming', filter)) {
    yield rows.map((d) => ({
      runId: d.run_id,
      kind: d.kind,
      key: d.key,
      source: d.source,
      line: d.line,
      classification: d.classification,
      kept: d.kept === null ? null : (JSON.parse(d.kept) as OperationRow),
      incoming: d.incoming === null ? null : (JSON.parse(d.incoming) as OperationRow),
    }))
  }
}
