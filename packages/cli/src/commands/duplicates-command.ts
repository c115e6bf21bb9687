import { defineCommand } from 'citty'
import type { DuplicateClass } from '@vehicle-perf/core'
import { guarded, UsageError } from '../cli-errors.js'
import { DUPLICATE_CSV_HEADER, duplicateCsv, duplicateJson, duplicatesTable } from '../format-logs.js'
import { LOG_ARGS, logFilterOf } from './log-options.js'
import { printStoreLog } from './print-log.js'

function classificationOf(value: string | undefined): { classification?: DuplicateClass } {
  if (value === undefined) return {}
  if (value !== 'exact' && value !== 'conflict') throw new UsageError(`--class ${value}: expected exact or conflict`)
  return { classification: value }
}

export const duplicatesCommand = defineCommand({
  meta: { name: 'duplicates', description: 'List the duplicates the runs logged: run, file, line, key, exact or conflict, and what differs' },
  args: {
    ...LOG_ARGS,
    class: { type: 'string', description: 'Only exact or conflict duplicates' },
  },
  run: ({ args }) =>
    guarded(async () => {
      const filter = { ...logFilterOf(args), ...classificationOf(args.class) }
      await printStoreLog(args, { items: (store) => store.listDuplicates(filter), json: duplicateJson, csvHeader: DUPLICATE_CSV_HEADER, csv: duplicateCsv, table: duplicatesTable, noun: 'duplicates' })
    }),
})
