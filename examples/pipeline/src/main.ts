import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from '@vehicle-perf/core'
import { runPipeline } from './pipeline.ts'

const dir = mkdtempSync(join(tmpdir(), 'vehicle-perf-pipeline-'))
try {
  generate({ outDir: dir, scale: 0.1, seed: 42 })
  const { report, rejects, responses } = await runPipeline([dir])
  const { rows_read, accepted, duplicates, rejected } = report.totals
  console.log(`read ${rows_read} rows: ${accepted} accepted, ${duplicates.exact + duplicates.conflict} duplicates, ${rejected.rows} rejected`)
  const first = rejects[0]
  if (first !== undefined) console.log(`first reject: ${first.source} line ${first.line}: ${first.reasons.join(', ')}`)
  const best = [...responses].sort((a, b) => b.lifetime.revenue - a.lifetime.revenue)[0]
  console.log(`${responses.length} vehicles; top earner:`)
  console.log(JSON.stringify(best, null, 2))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
