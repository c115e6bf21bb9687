import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { DuplicateClass, LogFilter, LoggedDuplicate, LoggedReject, OperationRow, RejectReason, RowKind } from '@vehicle-perf/core'
import type { Tables } from './schema.js'

// The runs' reject and duplicate logs, read in pages by id (keyset): memory
// stays bounded, and the order is the order they were logged.

const PAGE_ROWS = 500

type Read = <T>(what: string, work: () => Promise<T>) => Promise<T>
type LogTable = Tables['rejectedRows'] | Tables['duplicateRows']

/** The filter's run, file and kind as conditions on a log table. */
function commonConditions(table: LogTable, filter: LogFilter): (SQL | undefined)[] {
  return [
    filter.runId === undefined ? undefined : eq(table.runId, filter.runId),
    filter.source === undefined ? undefined : eq(table.source, filter.source),
    filter.kind === undefined ? undefined : eq(table.kind, filter.kind),
  ]
}

/** Yields the rows of `table` matching `conditions`, page by page in id order. */
async function* pagesOf<Table extends LogTable>(db: NodePgDatabase, read: Read, table: Table, conditions: (SQL | undefined)[]): AsyncIterable<Table['$inferSelect']> {
  let after = 0
  for (;;) {
    const rows = (await read('cannot read the logs of', () =>
      db
        .select()
        .from(table as LogTable)
        .where(and(gt(table.id, after), ...conditions))
        .orderBy(asc(table.id))
        .limit(PAGE_ROWS),
    )) as Table['$inferSelect'][]
    if (rows.length === 0) return
    yield* rows
    after = (rows.at(-1) as Table['$inferSelect']).id
  }
}

export async function* listRejects(db: NodePgDatabase, tables: Tables, read: Read, filter: LogFilter): AsyncIterable<LoggedReject> {
  const table = tables.rejectedRows
  const reason = filter.reason === undefined ? undefined : sql`${filter.reason} = ANY(${table.reasons})`
  for await (const r of pagesOf(db, read, table, [...commonConditions(table, filter), reason])) {
    yield { runId: r.runId, source: r.source, line: r.line, kind: r.kind as RowKind, fields: r.fields, truncated: r.truncated, reasons: r.reasons as RejectReason[] }
  }
}

export async function* listDuplicates(db: NodePgDatabase, tables: Tables, read: Read, filter: LogFilter): AsyncIterable<LoggedDuplicate> {
  const table = tables.duplicateRows
  const classification = filter.classification === undefined ? undefined : eq(table.classification, filter.classification)
  for await (const d of pagesOf(db, read, table, [...commonConditions(table, filter), classification])) {
    yield {
      runId: d.runId,
      kind: d.kind as RowKind,
      key: d.key,
      source: d.source,
      line: d.line,
      classification: d.classification as DuplicateClass,
      kept: (d.kept ?? null) as OperationRow | null,
      incoming: (d.incoming ?? null) as OperationRow | null,
    }
  }
}
