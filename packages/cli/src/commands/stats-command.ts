import { defineCommand } from 'citty'
import { guarded } from '../cli-errors.js'
import { formatStats, statsJson } from '../format-report.js'
import { DB_ARG, openStore } from '../open-store.js'

export const statsCommand = defineCommand({
  meta: { name: 'stats', description: 'Runs, rows, duplicates, rejects by reason, vehicles and data version of a store' },
  args: {
    db: DB_ARG,
    json: { type: 'boolean', description: 'Print as JSON', default: false },
  },
  run: ({ args }) =>
    guarded(async () => {
      const adapter = await openStore(args.db, { readonly: true })
      try {
        const stats = await adapter.stats()
        process.stdout.write(args.json ? `${JSON.stringify(statsJson(stats), null, 2)}\n` : `${formatStats(stats)}\n`)
      } finally {
        await adapter.close()
      }
    }),
})
