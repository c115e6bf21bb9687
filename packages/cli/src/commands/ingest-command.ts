import { defineCommand } from 'citty'
import { ingest, isRowKind, isVehiclePerfError, type IngestReport, type IngestSource, type SelectionPolicy } from '@vehicle-perf/core'
import { guarded, UsageError } from '../cli-errors.js'
import { formatIngestReport } from '../format-report.js'
import { DEFAULT_DB, openStore } from '../open-store.js'
import { createIngestProgress } from '../progress-bar.js'

export function readPolicy(value: string | undefined): SelectionPolicy {
  if (value === undefined || value === 'recent' || value === 'revenue') return value ?? 'recent'
  throw new UsageError(`--policy ${value}: expected recent or revenue`)
}

/** Ingest with a progress bar and Ctrl-C handling; the report whatever happened to files. */
export async function runIngest(db: string, sources: IngestSource[], options: { policy: SelectionPolicy; progress: boolean; skipKnown?: boolean }): Promise<IngestReport> {
  const adapter = await openStore(db)
  const controller = new AbortController()
  const onSignal = (): void => controller.abort()
  process.once('SIGINT', onSignal)
  const bar = createIngestProgress(options.progress)
  try {
    return await ingest({ adapter, sources, policy: options.policy, skipKnownFiles: options.skipKnown, signal: controller.signal, onProgress: bar.update })
  } finally {
    bar.stop()
    process.off('SIGINT', onSignal)
    await adapter.close()
  }
}

export const ingestCommand = defineCommand({
  meta: { name: 'ingest', description: 'Validate, deduplicate and store CSV batches (files, directories or globs), then refresh the vehicles they touched' },
  args: {
    paths: { type: 'positional', description: 'CSV files, directories (read non-recursively), quoted globs, or - for standard input (with --kind)', required: true },
    db: { type: 'string', description: 'Store: sqlite:PATH (default) or postgres://...', default: DEFAULT_DB },
    policy: { type: 'string', description: 'How responses pick rides: recent (default) or revenue', default: 'recent' },
    kind: { type: 'string', description: 'Kind of every given file when names do not tell it: deployment, pickup or ride' },
    'skip-known': { type: 'boolean', description: 'Skip files whose sha256 a successful run already ingested', default: false },
    json: { type: 'boolean', description: 'Print the run report as JSON (no progress bar)', default: false },
  },
  run: ({ args }) =>
    guarded(async () => {
      const paths = [args.paths, ...args._.filter((path) => path !== args.paths)].filter((path): path is string => typeof path === 'string' && path !== '')
      if (args.kind !== undefined && !isRowKind(args.kind)) throw new UsageError(`--kind ${args.kind}: expected deployment, pickup or ride`)
      const kind = args.kind !== undefined && isRowKind(args.kind) ? args.kind : undefined
      if (paths.includes('-') && kind === undefined) throw new UsageError('reading standard input (-) needs --kind deployment, pickup or ride')
      const sources: IngestSource[] = paths.map((path) => {
        if (path === '-') return { name: 'stdin', stream: process.stdin, kind }
        return kind !== undefined ? { path, kind } : path
      })
      const print = (report: IngestReport): void => void process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatIngestReport(report)}\n`)
      let report: IngestReport
      try {
        report = await runIngest(args.db, sources, { policy: readPolicy(args.policy), progress: !args.json, skipKnown: args['skip-known'] })
      } catch (error) {
        // A run that failed still reports: its status, why, and each file's accounting so far (scripts read it with --json).
        if (isVehiclePerfError(error) && error.report !== undefined) print(error.report)
        throw error
      }
      print(report)
      return report.totals.failed_files > 0 ? 1 : 0
    }),
})
