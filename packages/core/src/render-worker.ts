// The render worker's entry (built to dist/render-worker.js): decodes
// touched vehicles' packed rows and renders their views off the main
// thread, which meanwhile stores the next vehicles. See
// ingest/render-worker-client.ts.
import { parentPort } from 'node:worker_threads'
import { renderPackedVehicles } from './response/render-vehicles.js'
import type { RenderJob, RenderReply } from './ingest/render-protocol.js'

parentPort?.on('message', (job: RenderJob) => {
  let reply: RenderReply
  try {
    const records = Buffer.from(job.records)
    const rendered = renderPackedVehicles({ vehicleIds: job.vehicleIds, ends: job.ends, records }, job.policy)
    reply = { id: job.id, views: rendered.views, latest: rendered.latest }
  } catch (error) {
    reply = { id: job.id, error: String((error as Error)?.stack ?? error) }
  }
  parentPort?.postMessage(reply)
})
parentPort?.postMessage('ready')
