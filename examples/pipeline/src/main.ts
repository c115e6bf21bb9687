import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from '@vehicle-perf/core'
import { runPipeline } from './pipeline.ts'

const dir = mkdtempSync(join(tmpdir(), 'vehicle-perf-pipeline-'))
const generated = generate({ outDir: dir, scale: 0.1, seed: 42 })
const result = await runPipeline(dir, generated.files)
const best = [...result.responses].sort((a, b) => b.lifetime.revenue - a.lifetime.revenue)[0]

console.log(`read ${result.rowsRead} rows: ${result.accepted} accepted, ${result.duplicates} duplicates, ${result.rejects.length} rejected`)
console.log(`${result.responses.length} vehicles; top earner:`)
console.log(JSON.stringify(best, null, 2))
