import { defineCommand } from 'citty'
import { REJECT_REASONS } from '@vehicle-perf/core'
import { guarded } from '../cli-errors.js'
import { REJECT_CSV_HEADER, rejectCsv, rejectJson, rejectsTable } from '../format-logs.js'
import { LOG_ARGS, logFilterOf, reasonOf } from './log-options.js'
import { printStoreLog } from './print-log.js'

export const rejectsCommand = defineCommand({
  meta: { name: 'rejects', description: 'List the rejected rows the runs logged: run, file, line, reasons and raw fields, to find and fix them at their source' },
  args: {
    ...LOG_ARGS,
    reason: { type: 'string', description: `Only rows rejected for this reason: ${REJECT_REASONS.join(', ')}` },
  },
  run: ({ args }) =>
    guarded(async () => {
      const filter = { ...logFilterOf(args), ...reasonOf(args.reason) }
      await printStoreLog(args, { items: (store) => store.listRejects(filter), json: rejectJson, csvHeader: REJECT_CSV_HEADER, csv: rejectCsv, table: rejectsTable, noun: 'rejected rows' })
    }),
})
