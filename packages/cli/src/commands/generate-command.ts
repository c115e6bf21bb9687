import { resolve } from 'node:path'
import { defineCommand } from 'citty'
import { generate } from '@vehicle-perf/core'
import { guarded, UsageError } from '../cli-errors.js'

export function readNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`--${name} ${value}: expected a positive number`)
  return number
}

/** A TCP port: 0 to 65535, 0 meaning any free port. */
export function readPort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${value}: expected a port number (0 to 65535)`)
  return port
}

export const generateCommand = defineCommand({
  meta: { name: 'generate', description: 'Write realistic demo CSV batches (with anomalies) and the accounting an ingest must report' },
  args: {
    scale: { type: 'string', description: '1 = the real data set (~4,200 vehicles, ~115k rows)', default: '1' },
    seed: { type: 'string', description: 'Same seed, same bytes', default: '42' },
    out: { type: 'string', description: 'Output directory', default: 'data' },
    json: { type: 'boolean', description: 'Print the result as JSON', default: false },
  },
  run: ({ args }) =>
    guarded(async () => {
      const started = performance.now()
      const result = generate({ outDir: resolve(args.out), scale: readNumber('scale', args.scale, 1), seed: Math.trunc(readNumber('seed', args.seed, 42)) })
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ out: result.outDir, vehicles: result.vehicles, files: result.files, expected: result.expected.totals }, null, 2)}\n`)
        return
      }
      const t = result.expected.totals
      process.stdout.write(
        `wrote ${result.files.length} files to ${result.outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
          `${result.vehicles.toLocaleString('en-US')} vehicles, ${t.rows_read.toLocaleString('en-US')} rows ` +
          `(expected: ${t.accepted.toLocaleString('en-US')} accepted, ${(t.duplicates.exact + t.duplicates.conflict).toLocaleString('en-US')} duplicates, ${t.rejected.rows} rejected; see expected-accounting.json)\n`,
      )
    }),
})
