import type { RejectReason } from '../rows/reject-reasons.js'
import type { RowKind } from '../rows/kinds.js'

export type FileErrorCode = 'missing_column' | 'unknown_kind' | 'unreadable'

export interface RejectCounts {
  rows: number
  reasons: Partial<Record<RejectReason, number>>
  /** Rejects whose raw fields were cut to the cap (rows/reject-fields.ts); absent when none. */
  fields_truncated?: number
}

/** domain.md §4: one file of a run. A failed file has `error` and no row counts. */
export interface FileReport {
  source: string
  kind: RowKind | null
  bytes: number | null
  sha256: string | null
  rows_read?: number
  accepted?: number
  duplicates?: { exact: number; conflict: number }
  rejected?: RejectCounts
  /** Columns outside the kind's, ignored. */
  unknown_columns?: string[]
  /** True when the file was skipped because a run already ingested the same bytes (opt-in). */
  skipped?: boolean
  duration_ms: number
  error: { code: FileErrorCode; message: string } | null
}

export interface RunTotals {
  files: number
  failed_files: number
  rows_read: number
  accepted: number
  duplicates: { exact: number; conflict: number }
  rejected: RejectCounts
}

/** domain.md §4's run report, as `ingest` returns it and `vehicle-perf ingest --json` prints it. */
export interface IngestReport {
  run_id: string
  status: 'succeeded' | 'failed'
  started_at: string
  finished_at: string | null
  as_of: string | null
  policy: string
  files: FileReport[]
  totals: RunTotals
  /** Vehicles whose views this run re-rendered. */
  vehicles_refreshed: number
  data_version: number
  /** Why the run failed (aborted, store error), when it did. */
  error?: { code: string; message: string }
}

export function emptyRejectCounts(): RejectCounts {
  return { rows: 0, reasons: {} }
}

export function addRejectCounts(into: RejectCounts, from: RejectCounts): void {
  into.rows += from.rows
  if (from.fields_truncated !== undefined) into.fields_truncated = (into.fields_truncated ?? 0) + from.fields_truncated
  for (const [reason, count] of Object.entries(from.reasons) as [RejectReason, number][]) {
    into.reasons[reason] = (into.reasons[reason] ?? 0) + count
  }
}

/** Totals over the files that did not fail (a failed file contributes no row counts). */
export function totalsOf(files: readonly FileReport[]): RunTotals {
  const totals: RunTotals = {
    files: files.length,
    failed_files: 0,
    rows_read: 0,
    accepted: 0,
    duplicates: { exact: 0, conflict: 0 },
    rejected: emptyRejectCounts(),
  }
  for (const file of files) {
    if (file.error !== null) {
      totals.failed_files++
      continue
    }
    totals.rows_read += file.rows_read ?? 0
    totals.accepted += file.accepted ?? 0
    totals.duplicates.exact += file.duplicates?.exact ?? 0
    totals.duplicates.conflict += file.duplicates?.conflict ?? 0
    if (file.rejected !== undefined) addRejectCounts(totals.rejected, file.rejected)
  }
  return totals
}
