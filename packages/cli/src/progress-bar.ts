import cliProgress from 'cli-progress'
import type { IngestProgress } from '@vehicle-perf/core'

const PHASE_LABELS: Record<IngestProgress['phase'], string> = { read: 'reading   ', store: 'storing   ', refresh: 'refreshing' }

/** A progress bar on an interactive terminal; nothing otherwise (pipes, CI, --json). */
export function createIngestProgress(enabled: boolean): { update: (progress: IngestProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} }
  const bar = new cliProgress.SingleBar(
    { format: ' {phase} [{bar}] {percentage}% | {rows} rows | {detail}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update(progress) {
      const total = progress.bytesTotal ?? 0
      const payload = {
        phase: PHASE_LABELS[progress.phase],
        rows: progress.rowsRead.toLocaleString('en-US'),
        detail:
          progress.phase === 'read'
            ? `${progress.source ?? ''} (${progress.fileIndex + 1}/${progress.fileCount})`
            : progress.phase === 'store'
              ? 'resolving duplicates, storing new rows'
              : `${progress.vehiclesRefreshed.toLocaleString('en-US')} vehicles`,
      }
      if (!started) {
        bar.start(Math.max(total, 1), 0, payload)
        started = true
      }
      bar.update(Math.min(progress.bytesRead, Math.max(total, 1)), payload)
    },
    stop() {
      if (started) bar.stop()
    },
  }
}
