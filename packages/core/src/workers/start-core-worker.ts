import { Worker } from 'node:worker_threads'

/** Core's worker entries, built next to core's bundle (dist/<name>.js). */
export type CoreWorkerName = 'parse-worker' | 'render-worker'

/**
 * Room for short-lived objects in a worker. Both workers allocate a batch's
 * rows or views and drop them a moment later: with V8's default young
 * generation, scavenges took 20 % of the render worker's CPU at scale 10
 * (576 ms of 2.8 s); with this, 9 % (254 ms), and the parse worker's 237 ms
 * went to 134 ms. Memory: the young generation is allocated as it fills, up
 * to this, per worker.
 */
const YOUNG_GENERATION_MB = 64

/**
 * Built, a worker is dist/<name>.js next to this bundle. Run from sources
 * (this repository's tests and benchmarks), it is src/<name>.ts, loaded
 * through tsx, a dev dependency: Node 20 does not pass `--import` loaders on
 * to a worker's entry module.
 */
function createWorker(name: CoreWorkerName): Worker {
  const options = { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url), options)
  const entry = JSON.stringify(new URL(`../${name}.ts`, import.meta.url).href)
  return new Worker(`import('tsx/esm/api').then((tsx) => tsx.tsImport(${entry}, ${entry}))`, { eval: true, ...options })
}

/**
 * Starts one of core's workers and waits for its first message ("ready").
 * Resolves to null when it cannot start (for example when core was bundled
 * into another file without its worker entries): callers then do the work
 * on their own thread.
 */
export async function startCoreWorker(name: CoreWorkerName): Promise<Worker | null> {
  let worker: Worker
  try {
    worker = createWorker(name)
  } catch {
    return null
  }
  const ready = await new Promise<boolean>((resolve) => {
    worker.once('message', () => resolve(true))
    worker.once('error', () => resolve(false))
    worker.once('exit', () => resolve(false))
  })
  if (!ready) {
    await worker.terminate()
    return null
  }
  return worker
}
