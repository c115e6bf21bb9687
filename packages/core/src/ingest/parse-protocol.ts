import type { MessagePort } from 'node:worker_threads'
import type { CsvHeader, RejectedRow } from '../csv/read-operation-rows.js'
import type { RowKind } from '../rows/kinds.js'
import type { PackedRows } from '../rows/transfer-rows.js'

// The messages between an ingest and its parse worker. One MessageChannel
// per file: closing it is how the reader cancels a file mid-way.

/** Sent on the worker's parentPort to start a file. */
export interface ParseJob {
  type: 'parse'
  port: MessagePort
  kind: RowKind
  sourceName: string
  batchSize: number
}

/** Reader -> worker, on the file's port. */
export type ReaderMessage =
  | { type: 'chunk'; chunk: Uint8Array | string }
  | { type: 'end' }
  /** The reader took one more batch: the worker may parse ahead again. */
  | { type: 'ack' }

/** Worker -> reader, on the file's port. */
export type WorkerMessage =
  | { type: 'header'; header: CsvHeader }
  /** The worker consumed a chunk: the reader may send one more. */
  | { type: 'took' }
  | { type: 'batch'; rows: PackedRows; rejects: RejectedRow[]; rowsRead: number }
  | { type: 'done' }
  /** `code` is set for a VehiclePerfError (a file's mistake, such as a missing column). */
  | { type: 'error'; code: string | null; message: string }

/** Chunks the reader keeps in flight, so the worker never waits on a busy main thread (~8 ms of parsing). */
export const CHUNKS_AHEAD = 32
/** Batches the worker parses ahead of the reader: memory stays bounded by the batch size. */
export const BATCHES_AHEAD = 4
