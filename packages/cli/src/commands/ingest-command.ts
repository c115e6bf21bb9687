import { defineCommand } from 'citty'
import { ingest, isRowKind, isVehiclePerfError, resolveSources, type IngestReport, type IngestSource, type RowKind, type SelectionPolicy } from '@vehicle-perf/core'
import { guarded, UsageError } from '../cli-errors.js'
import { formatIngestReport } from '../format-report.js'
import { DB_ARG, openStore } from '../open-store.js'
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

/**
 * Before a store is opened (and, for SQLite, created): a run whose every
 * path is missing is a usage mistake, and a folder without CSV files gets a
 * warning. A missing path beside others that exist fails alone in the run.
 */
async function checkInputs(sources: readonly IngestSource[]): Promise<void> {
  const paths = sources.filter((source): source is string | { path: string; kind?: RowKind } => typeof source === 'string' || 'path' in source)
  let found = sources.length - paths.length
  const problems: string[] = []
  for (const source of paths) {
    const path = typeof source === 'string' ? source : source.path
    const resolved = await resolveSources([source])
    if (resolved.length === 0) process.stderr.write(`vehicle-perf: warning: ${path}: no .csv files in this folder\n`)
    for (const input of resolved) {
      if (input.problem === null) found++
      else problems.push(input.problem.message)
    }
  }
  if (found === 0) throw new UsageError(problems.length > 0 ? `nothing to ingest: ${problems.join('; ')}` : 'nothing to ingest: no .csv files in the given folders')
}

export const ingestCommand = defineCommand({
  meta: { name: 'ingest', description: 'Validate, deduplicate and store CSV batches (files, directories or globs), then refresh the vehicles they touched' },
  args: {
    paths: { type: 'positional', description: 'CSV files, directories (read non-recursively), quoted globs, or - for standard input (with --kind)', required: true },
    db: DB_ARG,
    policy: { type: 'string', description: 'How responses pick rides: recent (default) or revenue', default: 'recent' },
    kind: { type: 'string', description: 'Kind of every given file when names do not tell it: deployment, pickup or ride' },
    'skip-known': { type: 'boolean', description: 'Skip files whose sha256 a successful run already ingested', default: false },
    json: { type: 'boolean', description: 'Print the run report as JSON (no progress bar)', default: false },
  },
  run: ({ args }) =>
    guarded(async () => {
      // Every path as given: a file named twice is read twice, a re-ingest within the batch (domain.md §3), however it is spelt.
      const paths = args._.filter((path): path is string => typeof path === 'string' && path !== '')
      if (args.kind !== undefined && !isRowKind(args.kind)) throw new UsageError(`--kind ${args.kind}: expected deployment, pickup or ride`)
      const kind = args.kind !== undefined && isRowKind(args.kind) ? args.kind : undefined
      if (paths.includes('-') && kind === undefined) throw new UsageError('reading standard input (-) needs --kind deployment, pickup or ride')
      const sources: IngestSource[] = paths.map((path) => {
        if (path === '-') return { name: 'stdin', stream: process.stdin, kind }
        return kind !== undefined ? { path, kind } : path
      })
      await checkInputs(sources)
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
