import { ingest } from '@vehicle-perf/core'
import { createSqliteStorage } from '@vehicle-perf/adapter-sqlite'
import { rmSync } from 'node:fs'
for (const f of ['', '-wal', '-shm']) rmSync('/tmp/vp/phase.db' + f, { force: true })
const adapter = createSqliteStorage({ filename: '/tmp/vp/phase.db' })
await adapter.migrate()
const t0 = performance.now(); let tRefresh = 0
const report = await ingest({ adapter, sources: ['/tmp/vp/gen1'], onProgress: (p) => { if (p.phase === 'refresh' && tRefresh === 0) tRefresh = performance.now() } })
const tEnd = performance.now()
console.log('read+store ms', Math.round(tRefresh - t0), 'refresh+commit ms', Math.round(tEnd - tRefresh), 'total', Math.round(tEnd - t0))
await adapter.close()
