import { Worker } from 'node:worker_threads'

/** Core's worker entries, built next to core's bundle (dist/<name>.js). */
export type CoreWorkerName = 'parse-worker' | 'render-worker'

/**
 * Built, a worker is dist/<name>.js next to this bundle. Run from sources
 * (this repository's tests and benchmarks), it is src/<name>.ts, loaded
 * through tsx, a dev dependency: Node 20 does not pass `--import` loaders on
 * to a worker's entry module.
 */
function createWorker(name: CoreWorkerName): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url))
  const entry = JSON.stringify(new URL(`../${name}.ts`, import.meta.url).href)
  return new Worker(`import('tsx/esm/api').then((tsx) => tsx.tsImport(${entry}, ${entry}))`, { eval: true })
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
