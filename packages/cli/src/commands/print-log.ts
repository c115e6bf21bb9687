import type { StorageAdapter } from '@vehicle-perf/core'
import type { LogFormat } from '../format-logs.js'
import { openStore } from '../open-store.js'
import { formatOf, limitOf, type LogArgs } from './log-options.js'

export interface LogPrinter<T> {
  items: (adapter: StorageAdapter) => AsyncIterable<T>
  json: (item: T) => string
  csvHeader: string
  csv: (item: T) => string
  table: (items: readonly T[]) => string
  /** "rejected rows", "duplicates": for the lines around a table. */
  noun: string
}

const write = (text: string): Promise<void> => new Promise((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', () => resolve())))

/**
 * Prints a log in `format`, `limit` rows at the most: JSON and CSV line by
 * line as the store yields them (memory stays flat on a log of millions), a
 * table once its rows are read.
 */
export async function printLog<T>(adapter: StorageAdapter, printer: LogPrinter<T>, format: LogFormat, limit: number): Promise<void> {
  const rows: T[] = []
  let count = 0
  let more = false
  if (format === 'csv') await write(`${printer.csvHeader}\n`)
  for await (const item of printer.items(adapter)) {
    if (count === limit) {
      more = true
      break
    }
    count++
    if (format === 'table') rows.push(item)
    else await write(`${format === 'json' ? printer.json(item) : printer.csv(item)}\n`)
  }
  if (format !== 'table') return
  if (count === 0) return write(`no ${printer.noun} logged that match\n`)
  await write(`${printer.table(rows)}\n`)
  if (more) await write(`(the first ${limit} ${printer.noun}; --limit N for more, --json or --csv for all)\n`)
}

/** The body of `rejects` and `duplicates`: the store opened read-only, the log printed as the options say. */
export async function printStoreLog<T>(args: LogArgs & { db: string }, printer: LogPrinter<T>): Promise<void> {
  const format = formatOf(args)
  const limit = limitOf(args, format)
  const adapter = await openStore(args.db, { readonly: true })
  try {
    await printLog(adapter, printer, format, limit)
  } finally {
    await adapter.close()
  }
}
