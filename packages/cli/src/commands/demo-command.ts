import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { defineCommand } from 'citty'
import { generate } from '@vehicle-perf/core'
import { guarded } from '../cli-errors.js'
import { formatIngestReport } from '../format-report.js'
import { openStore } from '../open-store.js'
import { readNumber, readPort } from './generate-command.js'
import { runIngest } from './ingest-command.js'
import { lookupLines } from './lookup-command.js'
import { runServer } from '../run-server.js'

/** A vehicle id and QR code that exist in the data: from the first pickup row. */
export function exampleKeys(dataDir: string): { vehicleId: string; qrCode: string } | null {
  const file = readdirSync(dataDir).filter((name) => name.startsWith('pickups')).sort()[0]
  if (file === undefined) return null
  const [, line] = readFileSync(join(dataDir, file), 'utf8').split('\n', 2)
  const [, vehicleId, qrCode] = (line ?? '').split(',')
  return vehicleId && qrCode ? { vehicleId, qrCode } : null
}

export const demoCommand = defineCommand({
  meta: { name: 'demo', description: 'The whole job on the embedded default: generate demo data (if none), ingest it into a fresh SQLite store, show the summary and a few lookups' },
  args: {
    dir: { type: 'string', description: 'Demo data directory', default: 'data/demo' },
    db: { type: 'string', description: 'SQLite file for the demo (recreated)', default: 'data/demo.db' },
    scale: { type: 'string', description: 'Scale of generated data', default: '1' },
    port: { type: 'string', description: 'Port to serve on afterwards', default: '3000' },
    serve: { type: 'boolean', description: 'Serve the store afterwards (--no-serve to stop after the lookups)', default: true },
  },
  run: ({ args }) =>
    guarded(async () => {
      const dataDir = resolve(args.dir)
      if (!existsSync(dataDir) || !readdirSync(dataDir).some((name) => name.startsWith('rides'))) {
        const generated = generate({ outDir: dataDir, scale: readNumber('scale', args.scale, 1), seed: 42 })
        process.stdout.write(`generated ${generated.files.length} demo files (${generated.expected.totals.rows_read.toLocaleString('en-US')} rows, ${generated.vehicles.toLocaleString('en-US')} vehicles) in ${dataDir}\n\n`)
      }
      const dbPath = resolve(args.db)
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true })
      const started = performance.now()
      const report = await runIngest(`sqlite:${dbPath}`, [dataDir], { policy: 'recent', progress: true })
      process.stdout.write(`${formatIngestReport(report)}\ningested in ${((performance.now() - started) / 1000).toFixed(2)} s into ${dbPath}\n\n`)

      const keys = exampleKeys(dataDir)
      if (keys !== null) {
        const adapter = await openStore(`sqlite:${dbPath}`, { readonly: true })
        try {
          const examples = [keys.vehicleId, keys.qrCode.toLowerCase(), 'AAAAAAAAAAAAAAAAAAAA', 'not-a-key']
          const lines = await lookupLines(adapter, examples)
          process.stdout.write('lookups (vehicle-perf lookup KEY... --db sqlite:' + args.db + '):\n')
          examples.forEach((key, i) => process.stdout.write(`  ${key} -> ${(lines[i] ?? '').slice(0, 160)}${(lines[i] ?? '').length > 160 ? '…' : ''}\n`))
        } finally {
          await adapter.close()
        }
      }
      if (report.totals.failed_files > 0) return 1
      if (!args.serve) return 0
      const running = await runServer({ db: `sqlite:${dbPath}`, port: readPort(args.port, 3000), host: '127.0.0.1', log: () => {} })
      process.stdout.write(`\nserving ${running.url} (Ctrl-C to stop):\n`)
      if (keys !== null) {
        process.stdout.write(`  JSON by vehicle id  ${running.url}/api/v1/vehicles/${keys.vehicleId}\n`)
        process.stdout.write(`  JSON by QR code     ${running.url}/api/v1/vehicles/${keys.qrCode}\n`)
        process.stdout.write(`  report (phone)      ${running.url}/report/v1/vehicles/${keys.qrCode}\n`)
      }
      process.stdout.write(`  readiness           ${running.url}/readyz\n`)
      await new Promise(() => {})
    }),
})
