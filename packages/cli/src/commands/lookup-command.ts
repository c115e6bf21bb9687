import { defineCommand } from 'citty'
import { lookupVehicle, type StorageAdapter } from '@vehicle-perf/core'
import { guarded } from '../cli-errors.js'
import { DB_ARG, openStore } from '../open-store.js'

/** domain.md §9: one line per key, in order: the v1 response, or a status line. */
export async function lookupLines(adapter: StorageAdapter, keys: readonly string[]): Promise<string[]> {
  const lines: string[] = []
  for (const key of keys) {
    const result = await lookupVehicle(adapter, key)
    lines.push(result.status === 200 ? result.body : JSON.stringify({ key, status: result.status, title: result.title }))
  }
  return lines
}

export const lookupCommand = defineCommand({
  meta: { name: 'lookup', description: 'Print the v1 performance response of vehicles, by vehicle id or QR code, one JSON line per key' },
  args: {
    keys: { type: 'positional', description: 'Vehicle ids (20 characters) or QR codes (6 characters, any case)', required: true },
    db: DB_ARG,
    // Every other command prints JSON with --json; lookup always does, and takes it too rather than failing a script.
    json: { type: 'boolean', description: 'JSON lines (what lookup always prints)', default: false },
  },
  run: ({ args }) =>
    guarded(async () => {
      // Every key in order, a repeated one answered again: one line per key asked.
      const keys = args._.filter((key): key is string => typeof key === 'string')
      const adapter = await openStore(args.db, { readonly: true })
      try {
        const lines = await lookupLines(adapter, keys)
        process.stdout.write(`${lines.join('\n')}\n`)
        return lines.some((line) => line.startsWith('{"key":')) ? 1 : 0
      } finally {
        await adapter.close()
      }
    }),
})
