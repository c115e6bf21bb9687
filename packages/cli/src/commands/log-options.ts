import { isRowKind, REJECT_REASONS, ROW_KINDS, type LogFilter, type RejectReason } from '@vehicle-perf/core'
import { UsageError } from '../cli-errors.js'
import type { LogFormat } from '../format-logs.js'
import { DB_ARG } from '../open-store.js'

/** The options `rejects` and `duplicates` share. */
export const LOG_ARGS = {
  db: DB_ARG,
  run: { type: 'string', description: 'Only this run (its run_id, as ingest and stats print it)' },
  file: { type: 'string', description: 'Only this file (its name as the run report gives it)' },
  kind: { type: 'string', description: `Only rows of this kind: ${ROW_KINDS.join(', ')}` },
  limit: { type: 'string', description: 'At most this many rows (the table shows 100 unless told)' },
  json: { type: 'boolean', description: 'JSON lines, snake_case', default: false },
  csv: { type: 'boolean', description: 'CSV with a header line', default: false },
} as const

export interface LogArgs {
  run?: string
  file?: string
  kind?: string
  limit?: string
  json: boolean
  csv: boolean
}

export function logFilterOf(args: LogArgs): LogFilter {
  if (args.kind !== undefined && !isRowKind(args.kind)) throw new UsageError(`--kind ${args.kind}: expected one of ${ROW_KINDS.join(', ')}`)
  return {
    ...(args.run === undefined ? {} : { runId: args.run }),
    ...(args.file === undefined ? {} : { source: args.file }),
    ...(args.kind === undefined ? {} : { kind: args.kind }),
  }
}

export function reasonOf(reason: string | undefined): { reason?: RejectReason } {
  if (reason === undefined) return {}
  if (!(REJECT_REASONS as readonly string[]).includes(reason)) throw new UsageError(`--reason ${reason}: expected one of ${REJECT_REASONS.join(', ')}`)
  return { reason: reason as RejectReason }
}

export function formatOf(args: LogArgs): LogFormat {
  if (args.json && args.csv) throw new UsageError('--json and --csv: give one of them')
  return args.json ? 'json' : args.csv ? 'csv' : 'table'
}

/** How many rows to print; a table stops at 100 unless told, JSON and CSV print every row. */
export function limitOf(args: LogArgs, format: LogFormat): number {
  if (args.limit === undefined) return format === 'table' ? 100 : Number.POSITIVE_INFINITY
  const limit = Number(args.limit)
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${args.limit}: expected a whole number from 1`)
  return limit
}
