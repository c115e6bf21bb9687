// The parse worker's entry (built to dist/parse-worker.js): reads CSV chunks
// sent by an ingest, parses, normalises and validates them off the main
// thread, and sends back packed batches. See ingest/parse-worker-client.ts.
import { parentPort } from 'node:worker_threads'
import { readOperationRows } from './csv/read-operation-rows.js'
import { isVehiclePerfError } from './errors.js'
import { BATCHES_AHEAD, type ParseJob, type ReaderMessage, type WorkerMessage } from './ingest/parse-protocol.js'
import { Signal, until } from './ingest/signal.js'
import { packRows } from './rows/transfer-rows.js'

async function runJob(job: ParseJob): Promise<void> {
  const { port } = job
  const send = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer)
  const queue: (Uint8Array | string)[] = []
  const changed = new Signal()
  let ended = false
  let closed = false
  let acked = 0
  port.on('message', (message: ReaderMessage) => {
    if (message.type === 'chunk') queue.push(message.chunk)
    else if (message.type === 'end') ended = true
    else acked++
    changed.notify()
  })
  // The reader closes the port to cancel the file (an abort, a failed write).
  port.on('close', () => {
    closed = true
    changed.notify()
  })

  async function* chunks(): AsyncGenerator<Uint8Array | string> {
    for (;;) {
      await until(changed, () => queue.length > 0 || ended || closed)
      const chunk = closed ? undefined : queue.shift()
      if (chunk === undefined) return
      send({ type: 'took' })
      yield chunk
    }
  }

  let sent = 0
  try {
    const batches = readOperationRows(chunks(), job.kind, {
      sourceName: job.sourceName,
      batchSize: job.batchSize,
      onHeader: (header) => send({ type: 'header', header }),
    })
    for await (const batch of batches) {
      if (closed) return
      const rows = packRows(job.kind, batch.rows)
      send({ type: 'batch', rows, rejects: batch.rejects, rowsRead: batch.rowsRead }, [rows.numbers.buffer as ArrayBuffer])
      sent++
      await until(changed, () => closed || sent - acked < BATCHES_AHEAD)
    }
    if (!closed) send({ type: 'done' })
  } catch (error) {
    if (!closed) send({ type: 'error', code: isVehiclePerfError(error) ? error.code : null, message: String((error as Error)?.message ?? error) })
  } finally {
    port.close()
  }
}

parentPort?.on('message', (job: ParseJob) => void runJob(job))
parentPort?.postMessage('ready')
