import cliProgress from 'cli-progress'
import type { IngestProgress } from '@vehicle-perf/core'

const PHASE_LABELS: Record<IngestProgress['phase'], string> = { read: 'reading   ', store: 'storing   ', refresh: 'refreshing', commit: 'committing' }

export interface BarState {
  value: number
  total: number
  payload: { phase: string; rows: string; detail: string }
}

/**
 * What the bar shows for a progress event. Each phase fills the bar once:
 * bytes read, resolve steps done, vehicles refreshed; a phase whose total is
 * not known yet shows an empty bar rather than a full one. The commit is one
 * step: a full bar that says what the wait is for.
 */
export function barState(progress: IngestProgress): BarState {
  const rows = progress.rowsRead.toLocaleString('en-US')
  const phase = PHASE_LABELS[progress.phase]
  if (progress.phase === 'store') {
    const step = progress.storeStep
    const detail = step === null ? 'resolving keys' : step.done < step.total ? `${step.label} (step ${step.done + 1} of ${step.total})` : 'logging duplicates'
    return { value: step?.done ?? 0, total: Math.max(step?.total ?? 1, 1), payload: { phase, rows, detail } }
  }
  if (progress.phase === 'refresh') {
    const total = progress.vehiclesToRefresh
    const refreshed = progress.vehiclesRefreshed.toLocaleString('en-US')
    const detail = total === null ? `${refreshed} vehicles` : `${refreshed} of ${total.toLocaleString('en-US')} vehicles`
    return { value: progress.vehiclesRefreshed, total: Math.max(total ?? 1, 1), payload: { phase, rows, detail } }
  }
  if (progress.phase === 'commit') return { value: 1, total: 1, payload: { phase, rows, detail: 'writing the store to disk' } }
  const total = Math.max(progress.bytesTotal ?? 0, 1)
  return {
    value: Math.min(progress.bytesRead, total),
    total,
    payload: { phase, rows, detail: `${progress.source ?? ''} (${progress.fileIndex + 1}/${progress.fileCount})` },
  }
}

/** A progress bar on an interactive terminal; nothing otherwise (pipes, CI, --json). */
export function createIngestProgress(enabled: boolean): { update: (progress: IngestProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} }
  const bar = new cliProgress.SingleBar(
    { format: ' {phase} [{bar}] {percentage}% | {rows} rows | {detail}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  let phase: IngestProgress['phase'] | null = null
  return {
    update(progress) {
      const state = barState(progress)
      if (!started) {
        bar.start(state.total, state.value, state.payload)
        started = true
      }
      bar.setTotal(state.total)
      bar.update(state.value, state.payload)
      // The store and commit phases run one long synchronous statement after
      // each event: draw now, or the bar would show the previous step until it ends.
      if (progress.phase !== phase || progress.phase === 'store') bar.render()
      phase = progress.phase
    },
    stop() {
      if (started) bar.stop()
    },
  }
}
