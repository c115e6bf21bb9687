import { MessageChannel, type Worker } from 'node:worker_threads'
import { startCoreWorker } from '../workers/start-core-worker.js'
import type { ChunkSource } from '../csv/csv-record-parser.js'
import { DEFAULT_BATCH_SIZE, type ParsedBatch, type ReadOperationRowsOptions } from '../csv/read-operation-rows.js'
import { VehiclePerfError, type VehiclePerfErrorCode } from '../errors.js'
import type { RowKind } from '../rows/kinds.js'
import { unpackRows } from '../rows/transfer-rows.js'
import { CHUNKS_AHEAD, type ParseJob, type WorkerMessage } from './parse-protocol.js'
import { Signal, until } from './signal.js'

/**
 * A worker thread that parses, normalises and validates CSV while the main
 * thread stages the previous batches: the read phase's two halves on the
 * machine's two cores. `read` yields exactly what readOperationRows yields
 * for the same chunks; the main thread still reads the file (so its bytes,
 * sha256 and progress are counted where they always were) and sends the
 * chunks over, a few ahead.
 */
export class ParseWorker {
  /** The files being read now: woken when the worker fails, so none waits forever. */
  private readonly readers = new Set<Signal>()
  private failure: Error | null = null

  private constructor(private readonly worker: Worker) {
    const fail = (error: Error): void => {
      this.failure ??= error
      for (const reader of this.readers) reader.notify()
    }
    worker.on('error', (error) => fail(new Error(`the parse worker failed: ${error.message}`, { cause: error })))
    worker.on('exit', (code) => fail(new Error(`the parse worker exited (code ${code})`)))
  }

  /**
   * Starts a worker and waits until it can take files. Resolves to null when
   * it cannot start (for example when core was bundled without
   * dist/parse-worker.js): the ingest then parses on the main thread.
   */
  static async start(): Promise<ParseWorker | null> {
    const worker = await startCoreWorker('parse-worker')
    return worker === null ? null : new ParseWorker(worker)
  }

  async *read(chunks: ChunkSource, kind: RowKind, options: ReadOperationRowsOptions = {}): AsyncGenerator<ParsedBatch> {
    if (this.failure !== null) throw this.failure
    const { port1: port, port2 } = new MessageChannel()
    const job: ParseJob = { type: 'parse', port: port2, kind, sourceName: options.sourceName ?? 'stream', batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE }
    this.worker.postMessage(job, [port2])
    const changed = new Signal()
    this.readers.add(changed)
    const inbox: WorkerMessage[] = []
    let credits = CHUNKS_AHEAD
    let feedError: Error | null = null
    let stopFeeding = false
    port.on('message', (message: WorkerMessage) => {
      if (message.type === 'took') credits++
      else inbox.push(message)
      changed.notify()
    })

    const iterator = Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]()
    const feeding = (async () => {
      try {
        for (;;) {
          await until(changed, () => credits > 0 || stopFeeding)
          if (stopFeeding) return
          const next = await iterator.next()
          if (stopFeeding) return
          if (next.done === true) {
            port.postMessage({ type: 'end' })
            return
          }
          credits--
          port.postMessage({ type: 'chunk', chunk: next.value })
        }
      } catch (error) {
        // A read error (I/O, permissions) ends the file like it does in-thread.
        feedError = error as Error
        changed.notify()
      }
    })()

    try {
      for (;;) {
        await until(changed, () => inbox.length > 0 || feedError !== null || this.failed() !== null)
        if (feedError !== null) throw feedError
        const message = inbox.shift()
        if (message === undefined) throw this.failed() ?? new Error('the parse worker stopped')
        switch (message.type) {
          case 'header':
            options.onHeader?.(message.header)
            break
          case 'batch':
            yield { rows: unpackRows(message.rows), rejects: message.rejects, rowsRead: message.rowsRead }
            port.postMessage({ type: 'ack' })
            break
          case 'done':
            return
          case 'error':
            throw message.code === null ? new Error(message.message) : new VehiclePerfError(message.code as VehiclePerfErrorCode, message.message)
          case 'took':
            break
        }
      }
    } finally {
      stopFeeding = true
      changed.notify()
      port.close()
      await feeding
      // Closes the file, as leaving a for-await over the chunks does in-thread.
      await iterator.return?.()
      this.readers.delete(changed)
    }
  }

  /** Read through a call: TypeScript would keep it narrowed to null across awaits. */
  private failed(): Error | null {
    return this.failure
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}
