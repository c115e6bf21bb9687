import type { RejectReason } from '../rows/reject-reasons.js'
import { formatTimestamp } from '../values/timestamp.js'
import type { StoreMeta, StoreStats } from './storage-contract.js'

/** What a store counts for `stats()`, as its queries give it (grouped counts). */
export interface StoreCounts {
  /** Ingest runs by status (`succeeded`, `failed`). */
  runs: readonly { status: string; n: number }[]
  /** The run started last. */
  lastRun: { runId: string; finishedAt: string | null } | null
  /** Rows stored, by kind (`deployment`, `pickup`, `ride`). */
  rows: readonly { kind: string | null; n: number }[]
  vehicles: number
  /** Logged duplicates by class (`exact`, `conflict`). */
  duplicates: readonly { classification: string; n: number }[]
  rejectedRows: number
  reasons: Partial<Record<RejectReason, number>>
  meta: Pick<StoreMeta, 'asOf' | 'dataVersion'>
}

/** The `stats()` answer of a store, from its counts: one shape for every store. */
export function storeStatsFrom(counts: StoreCounts): StoreStats {
  const of = <T extends { n: number }>(groups: readonly T[], match: (group: T) => boolean): number => groups.find(match)?.n ?? 0
  const rows = (kind: string): number => of(counts.rows, (group) => group.kind === kind)
  const duplicates = (classification: string): number => of(counts.duplicates, (group) => group.classification === classification)
  return {
    runs: {
      total: counts.runs.reduce((sum, group) => sum + group.n, 0),
      succeeded: of(counts.runs, (group) => group.status === 'succeeded'),
      failed: of(counts.runs, (group) => group.status === 'failed'),
      lastRunId: counts.lastRun?.runId ?? null,
      lastFinishedAt: counts.lastRun?.finishedAt ?? null,
    },
    rows: { deployments: rows('deployment'), pickups: rows('pickup'), rides: rows('ride') },
    vehicles: counts.vehicles,
    duplicates: { exact: duplicates('exact'), conflict: duplicates('conflict') },
    rejected: { rows: counts.rejectedRows, reasons: counts.reasons },
    asOf: counts.meta.asOf === null ? null : formatTimestamp(counts.meta.asOf),
    dataVersion: counts.meta.dataVersion,
  }
}
