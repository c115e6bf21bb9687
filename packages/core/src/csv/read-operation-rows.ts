import { VehiclePerfError } from '../errors.js'
import { KIND_COLUMNS, type RowKind } from '../rows/kinds.js'
import { NORMALISERS } from '../rows/normalise-row.js'
import type { RejectReason } from '../rows/reject-reasons.js'
import type { OperationRow } from '../rows/row-types.js'
import { readCsvRecords, type ChunkSource } from './csv-record-parser.js'

/** An accepted row and the physical line its record starts on. */
export interface ParsedRow {
  row: OperationRow
  line: number
}

/** A row that broke a rule: every reason that applies, and the raw fields as read. */
export interface RejectedRow {
  line: number
  kind: RowKind
  fields: string[]
  reasons: RejectReason[]
}

/** What the reader found in a file's header line. */
export interface CsvHeader {
  columns: string[]
  /** Columns that are not part of the kind; ignored, reported once per file. */
  unknownColumns: string[]
}

export interface ParsedBatch {
  rows: ParsedRow[]
  rejects: RejectedRow[]
  /** Records read in this batch: rows.length + rejects.length. */
  rowsRead: number
}

export interface ReadOperationRowsOptions {
  /** Named in error messages. */
  sourceName?: string
  /** Records per yielded batch; memory is bounded by it, not by the file. */
  batchSize?: number
  onHeader?: (header: CsvHeader) => void
}

export const DEFAULT_BATCH_SIZE = 500

function resolveColumns(kind: RowKind, header: string[], sourceName: string): { indexes: number[]; header: CsvHeader } {
  const required = KIND_COLUMNS[kind]
  const indexes: number[] = []
  const missing: string[] = []
  for (const column of required) {
    const index = header.indexOf(column)
    if (index === -1) missing.push(column)
    indexes.push(index)
  }
  if (missing.length > 0) {
    throw new VehiclePerfError(
      'missing_column',
      `${sourceName}: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for kind "${kind}" (header: ${header.join(',') || 'empty'})`,
    )
  }
  const known = new Set<string>(required)
  return { indexes, header: { columns: header, unknownColumns: header.filter((column) => !known.has(column)) } }
}

/**
 * Turns a CSV stream of one kind into typed rows and rejects, in bounded
 * batches, in file order. Columns are matched by header name. A file without
 * the kind's required columns (an empty file included) throws a
 * VehiclePerfError with code `missing_column` before yielding anything.
 */
export async function* readOperationRows(
  chunks: ChunkSource,
  kind: RowKind,
  options: ReadOperationRowsOptions = {},
): AsyncGenerator<ParsedBatch> {
  const sourceName = options.sourceName ?? 'stream'
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
  const normalise = NORMALISERS[kind]
  let indexes: number[] | null = null
  let headerLength = 0
  let batch: ParsedBatch = { rows: [], rejects: [], rowsRead: 0 }
  const ordered: string[] = new Array<string>(KIND_COLUMNS[kind].length)

  for await (const records of readCsvRecords(chunks)) {
    for (const record of records) {
      if (indexes === null) {
        const resolved = resolveColumns(kind, record.fields, sourceName)
        indexes = resolved.indexes
        headerLength = record.fields.length
        options.onHeader?.(resolved.header)
        continue
      }
      batch.rowsRead++
      if (record.malformed || record.fields.length !== headerLength) {
        batch.rejects.push({ line: record.line, kind, fields: record.fields, reasons: ['wrong_column_count'] })
      } else {
        for (let i = 0; i < indexes.length; i++) ordered[i] = record.fields[indexes[i] as number] as string
        const result = normalise(ordered)
        if (result.ok) batch.rows.push({ row: result.row, line: record.line })
        else batch.rejects.push({ line: record.line, kind, fields: record.fields, reasons: result.reasons })
      }
      if (batch.rowsRead >= batchSize) {
        yield batch
        batch = { rows: [], rejects: [], rowsRead: 0 }
      }
    }
  }
  if (indexes === null) {
    throw new VehiclePerfError('missing_column', `${sourceName}: the file is empty (no header line); expected ${KIND_COLUMNS[kind].join(',')}`)
  }
  if (batch.rowsRead > 0) yield batch
}
