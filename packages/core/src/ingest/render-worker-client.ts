import type { Worker } from 'node:worker_threads'
import type { RenderedChunk } from '../response/render-vehicles.js'
import type { PackedVehicles } from '../rows/packed-rows.js'
import type { SelectionPolicy } from '../response/response-schema.js'
import { startCoreWorker } from '../workers/start-core-worker.js'
import type { RenderJob, RenderReply } from './render-protocol.js'

/**
 * A worker thread that decodes and renders views while the main thread
 * stores the next vehicles and writes the previous views: the refresh's two
 * halves on two cores. The chunk's records travel as a transferred buffer,
 * the views come back structured-cloned (plain strings and numbers).
 */
export class RenderWorker {
  private nextId = 0
  private readonly pending = new Map<number, { resolve: (rendered: RenderedChunk) => void; reject: (error: Error) => void }>()
  private failure: Error | null = null

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: RenderReply) => {
      const waiting = this.pending.get(reply.id)
      if (waiting === undefined) return
      this.pending.delete(reply.id)
      if ('error' in reply) waiting.reject(new Error(`rendering views failed in the render worker: ${reply.error}`))
      else waiting.resolve({ views: reply.views, latest: reply.latest })
    })
    const fail = (error: Error): void => {
      this.failure ??= error
      for (const waiting of this.pending.values()) waiting.reject(this.failure)
      this.pending.clear()
    }
    worker.on('error', (error) => fail(new Error(`the render worker failed: ${error.message}`, { cause: error })))
    worker.on('exit', (code) => fail(new Error(`the render worker exited (code ${code})`)))
  }

  /** Starts a worker; null when it cannot start (the refresh then renders on this thread). */
  static async start(): Promise<RenderWorker | null> {
    const worker = await startCoreWorker('render-worker')
    return worker === null ? null : new RenderWorker(worker)
  }

  render(chunk: PackedVehicles, policy: SelectionPolicy): Promise<RenderedChunk> {
    if (this.failure !== null) return Promise.reject(this.failure)
    const { records } = chunk
    // The chunk is the caller's to give away (RefreshSession.packedVehicles);
    // a buffer that shares its memory (Node's pool) is copied first.
    const whole = records.byteOffset === 0 && records.byteLength === records.buffer.byteLength
    const job: RenderJob = {
      id: this.nextId++,
      policy,
      vehicleIds: chunk.vehicleIds,
      ends: chunk.ends,
      records: (whole ? records.buffer : new Uint8Array(records).buffer) as ArrayBuffer,
    }
    return new Promise((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject })
      this.worker.postMessage(job, [job.records])
    })
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}
