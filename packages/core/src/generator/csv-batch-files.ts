import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { KIND_COLUMNS, type RowKind } from '../rows/kinds.js'
import type { RejectReason } from '../rows/reject-reasons.js'

/** What ingesting one generated file must report (domain.md §4's per-file counts). */
export interface ExpectedFileAccounting {
  rows_read: number
  accepted: number
  duplicates: { exact: number; conflict: number }
  rejected: { rows: number; reasons: Partial<Record<RejectReason, number>> }
}

export type LineOutcome = { type: 'accepted' } | { type: 'exact' | 'conflict' } | { type: 'rejected'; reason: RejectReason }

const FLUSH_AT = 1 << 18

class BatchFile {
  private buffer = ''
  private fd: number
  readonly accounting: ExpectedFileAccounting = {
    rows_read: 0,
    accepted: 0,
    duplicates: { exact: 0, conflict: 0 },
    rejected: { rows: 0, reasons: {} },
  }
  bytes = 0

  constructor(readonly path: string, header: string) {
    this.fd = openSync(path, 'w')
    this.buffer = header + '\n'
  }

  write(line: string, outcome: LineOutcome): void {
    this.buffer += line + '\n'
    const accounting = this.accounting
    accounting.rows_read++
    if (outcome.type === 'accepted') accounting.accepted++
    else if (outcome.type === 'rejected') {
      accounting.rejected.rows++
      accounting.rejected.reasons[outcome.reason] = (accounting.rejected.reasons[outcome.reason] ?? 0) + 1
    } else accounting.duplicates[outcome.type]++
    if (this.buffer.length >= FLUSH_AT) this.flush()
  }

  flush(): void {
    if (this.buffer.length === 0) return
    this.bytes += writeSync(this.fd, this.buffer)
    this.buffer = ''
  }

  close(): void {
    this.flush()
    closeSync(this.fd)
  }
}

const FILE_PREFIX: Record<RowKind, string> = { deployment: 'deployments', pickup: 'pickups', ride: 'rides' }

/** One CSV file per kind and batch period, written through small buffers (constant memory). */
export class CsvBatchFiles {
  private files = new Map<string, BatchFile>()

  constructor(
    private readonly outDir: string,
    private readonly batchLabels: readonly string[],
  ) {
    mkdirSync(outDir, { recursive: true })
  }

  fileName(kind: RowKind, batch: number): string {
    return `${FILE_PREFIX[kind]}_${this.batchLabels[batch]}.csv`
  }

  write(kind: RowKind, batch: number, line: string, outcome: LineOutcome): void {
    const name = this.fileName(kind, batch)
    let file = this.files.get(name)
    if (file === undefined) {
      file = new BatchFile(join(this.outDir, name), KIND_COLUMNS[kind].join(','))
      this.files.set(name, file)
    }
    file.write(line, outcome)
  }

  /** Closes every file and returns the expected accounting per file name, in processing order. */
  close(): Record<string, ExpectedFileAccounting> {
    const result: Record<string, ExpectedFileAccounting> = {}
    for (const name of [...this.files.keys()].sort()) {
      const file = this.files.get(name) as BatchFile
      file.close()
      result[name] = file.accounting
    }
    return result
  }
}
