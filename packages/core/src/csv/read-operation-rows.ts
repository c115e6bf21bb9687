import { VehiclePerfError } from '../errors.js'
import { KIND_COLUMNS, type RowKind } from '../rows/kinds.js'
import { NORMALISERS } from '../rows/normalise-row.js'
import { keptFields } from '../rows/reject-fields.js'
import type { RejectReason } from '../rows/reject-reasons.js'
import type { OperationRow } from '../rows/row-types.js'
import { readCsvRecords, type ChunkSource, type CsvRecord } from './csv-record-parser.js'

/** An accepted row and the physical line its record starts on. */
export interface ParsedRow {
  row: OperationRow
  line: number
}

/** A row that broke a rule: every reason that applies, and its raw fields as read (capped: rows/reject-fields.ts). */
export interface RejectedRow {
  line: number
  kind: RowKind
  fields: string[]
  reasons: RejectReason[]
  /** True when `fields` were cut to the cap. */
  truncated: boolean
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
 * Records of one file (header first) to typed rows and rejects, in batches:
 * the one place where a record is matched to its header and judged.
 */
class RowBatcher {
  private indexes: number[] | null = null
  private headerLength = 0
  private batch: ParsedBatch = { rows: [], rejects: [], rowsRead: 0 }
  private readonly ordered: string[]
  private readonly normalise: (typeof NORMALISERS)[RowKind]

  constructor(
    private readonly kind: RowKind,
    private readonly options: ReadOperationRowsOptions,
  ) {
    this.ordered = new Array<string>(KIND_COLUMNS[kind].length)
    this.normalise = NORMALISERS[kind]
  }

  /** Takes one record; returns a full batch when there is one to yield. */
  add(fields: string[], line: number, malformed: boolean): ParsedBatch | null {
    const { batch, kind } = this
    if (this.indexes === null) {
      const resolved = resolveColumns(kind, fields, this.options.sourceName ?? 'stream')
      this.indexes = resolved.indexes
      this.headerLength = fields.length
      this.options.onHeader?.(resolved.header)
      return null
    }
    batch.rowsRead++
    if (malformed || fields.length !== this.headerLength) {
      batch.rejects.push({ line, kind, ...keptFields(fields), reasons: ['wrong_column_count'] })
    } else {
      const { indexes, ordered } = this
      for (let i = 0; i < indexes.length; i++) ordered[i] = fields[indexes[i] as number] as string
      const result = this.normalise(ordered)
      if (result.ok) batch.rows.push({ row: result.row, line })
      else batch.rejects.push({ line, kind, ...keptFields(fields), reasons: result.reasons })
    }
    if (batch.rowsRead < (this.options.batchSize ?? DEFAULT_BATCH_SIZE)) return null
    this.batch = { rows: [], rejects: [], rowsRead: 0 }
    return batch
  }

  /** The last batch, if any; throws `missing_column` for a file without a header. */
  finish(): ParsedBatch | null {
    if (this.indexes === null) {
      throw new VehiclePerfError('missing_column', `${this.options.sourceName ?? 'stream'}: the file is empty (no header line); expected ${KIND_COLUMNS[this.kind].join(',')}`)
    }
    return this.batch.rowsRead > 0 ? this.batch : null
  }
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
  const batcher = new RowBatcher(kind, options)
  for await (const records of readCsvRecords(chunks)) {
    for (const record of records) {
      const full = batcher.add(record.fields, record.line, record.malformed)
      if (full !== null) yield full
    }
  }
  const last = batcher.finish()
  if (last !== null) yield last
}

/**
 * The same for records a caller parsed already (csv-parse, a queue, a
 * database cursor): the first record is the header, each record is an array
 * of fields, or a CsvRecord when the caller knows its physical line. Without
 * one, a record's line is its position: the header is line 1.
 */
export async function* readRecordRows(
  records: AsyncIterable<readonly string[] | CsvRecord> | Iterable<readonly string[] | CsvRecord>,
  kind: RowKind,
  options: ReadOperationRowsOptions = {},
): AsyncGenerator<ParsedBatch> {
  const batcher = new RowBatcher(kind, options)
  let position = 0
  for await (const record of records) {
    position++
    const full = 'fields' in record ? batcher.add(record.fields, record.line, record.malformed) : batcher.add([...record], position, false)
    if (full !== null) yield full
  }
  const last = batcher.finish()
  if (last !== null) yield last
}
