// An ingest in a process of its own, which says when it has reached a phase
// and then holds there until a test kills it (SIGKILL: nothing runs after),
// so it can never commit first. Run from the repository's root with
// `node --import tsx/esm`, so that it runs the sources, as the tests do.
// Usage: ingest-until-killed.ts <store> <data folder> <phase: read|store|refresh|commit> <temp folder>
//   <store> is sqlite:PATH or a postgres:// URL with ?schema=NAME
import { ingest, type StorageAdapter } from '@vehicle-perf/core'
import { createPostgresStorage } from '@vehicle-perf/adapter-postgres'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'

const [store, data, phase, tempDir] = process.argv.slice(2) as [string, string, string, string]

function open(): StorageAdapter {
  if (store.startsWith('sqlite:')) return createSqliteStorage({ filename: store.slice('sqlite:'.length), tempDir })
  const url = new URL(store)
  const schema = url.searchParams.get('schema') ?? 'vehicle_perf'
  url.searchParams.delete('schema')
  return createPostgresStorage({ connectionString: url.toString(), schema, tempDir })
}

const adapter = open()
await adapter.migrate()
let told = false
await ingest({
  adapter,
  sources: [data],
  batchSize: 100,
  onProgress: (p) => {
    const there = p.phase === phase && (phase !== 'read' || p.rowsRead > 1000) && (phase !== 'refresh' || p.vehiclesRefreshed > 0)
    if (there && !told) {
      told = true
      process.stdout.write(`${phase}\n`, () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000))
    }
  },
})
process.stdout.write('committed\n')
