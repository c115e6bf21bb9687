import type { FileReport, IngestReport, RejectCounts, StoreStats } from '@vehicle-perf/core'
import { table } from './format-table.js'

const number = (value: number | undefined): string => (value === undefined ? '-' : value.toLocaleString('en-US'))

/** Reasons and their counts, the most frequent first (ties by name): what to fix first reads first. */
function reasonsByCount(counts: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(counts).sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0))
}

function reasons(rejected: RejectCounts | undefined): string {
  if (rejected === undefined || rejected.rows === 0) return ''
  return reasonsByCount(rejected.reasons)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ')
}

/** "1 vehicle", "4,200 vehicles". */
export function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`
}

/** A run whose files failed did not simply succeed: its other files were stored, and it says so. */
function runOutcome(report: IngestReport): string {
  const failed = report.totals.failed_files
  if (report.status !== 'succeeded' || failed === 0) return report.status
  return `stored its other files; ${count(failed, 'file')} of ${report.totals.files} failed`
}

/** The run report as a table a person reads: one line per file, then totals. */
export function formatIngestReport(report: IngestReport): string {
  const rows = [['file', 'kind', 'rows', 'accepted', 'exact dup', 'conflict', 'rejected', 'notes']]
  for (const file of report.files) {
    const notes = file.error !== null ? `FAILED ${file.error.code}: ${file.error.message}` : file.skipped ? 'skipped: already ingested' : [reasons(file.rejected), file.unknown_columns ? `ignored columns: ${file.unknown_columns.join(', ')}` : ''].filter(Boolean).join('; ')
    rows.push([file.source, file.kind ?? '?', number(file.rows_read), number(file.accepted), number(file.duplicates?.exact), number(file.duplicates?.conflict), number(file.rejected?.rows), notes])
  }
  const t = report.totals
  rows.push([`total (${count(t.files, 'file')}, ${t.failed_files} failed)`, '', number(t.rows_read), number(t.accepted), number(t.duplicates.exact), number(t.duplicates.conflict), number(t.rejected.rows), reasons(t.rejected)])
  const lines = [
    table(rows, new Set([2, 3, 4, 5, 6])),
    '',
    `run ${report.run_id} ${runOutcome(report)}: ${count(report.vehicles_refreshed, 'vehicle')} refreshed, data as of ${report.as_of ?? '(no data)'}, data version ${report.data_version}`,
  ]
  if (report.error) lines.push(`error: ${report.error.message}`)
  const nothingNew = report.files.filter(addedNothing).length
  if (nothingNew > 0) {
    // A file read again costs more than its first run (every row is looked up among the stored ones): say how not to.
    lines.push(`note: ${count(nothingNew, 'file')} added no row (every row stored before, or rejected); --skip-known skips a file a successful run already ingested, by its sha256, without reading it`)
  }
  return lines.join('\n')
}

/** A file read whole whose every row was a duplicate or a reject: most likely ingested before. */
function addedNothing(file: FileReport): boolean {
  const duplicates = (file.duplicates?.exact ?? 0) + (file.duplicates?.conflict ?? 0)
  return file.error === null && file.skipped !== true && file.accepted === 0 && duplicates > 0
}

export function formatStats(stats: StoreStats): string {
  const rows = [
    ['vehicles', number(stats.vehicles)],
    ['deployments', number(stats.rows.deployments)],
    ['pickups', number(stats.rows.pickups)],
    ['rides', number(stats.rows.rides)],
    ['duplicates logged, every run (exact / conflict)', `${number(stats.duplicates.exact)} / ${number(stats.duplicates.conflict)}`],
    ['rejected rows logged, every run', number(stats.rejected.rows)],
    ...reasonsByCount(stats.rejected.reasons).map(([reason, count]) => [`  ${reason}`, number(count)]),
    ['runs (succeeded / failed)', `${stats.runs.succeeded} / ${stats.runs.failed}`],
    ['last run', stats.runs.lastRunId === null ? '-' : `${stats.runs.lastRunId} (${stats.runs.lastFinishedAt ?? 'unfinished'})`],
    ['data as of', stats.asOf ?? '-'],
    ['data version', String(stats.dataVersion)],
  ]
  return table(rows, new Set())
}

/**
 * `stats --json`: snake_case like the v1 response and the run report. The
 * duplicate and reject logs are counted as logged, run by run: a file
 * ingested twice logs (and counts) its duplicates and rejects twice; `counted`
 * says so in the document itself.
 */
export function statsJson(stats: StoreStats): Record<string, unknown> {
  return {
    vehicles: stats.vehicles,
    rows: stats.rows,
    duplicates: { exact: stats.duplicates.exact, conflict: stats.duplicates.conflict, counted: 'per_run' },
    rejected: { rows: stats.rejected.rows, reasons: stats.rejected.reasons, counted: 'per_run' },
    runs: { total: stats.runs.total, succeeded: stats.runs.succeeded, failed: stats.runs.failed, last_run_id: stats.runs.lastRunId, last_finished_at: stats.runs.lastFinishedAt },
    as_of: stats.asOf,
    data_version: stats.dataVersion,
  }
}
