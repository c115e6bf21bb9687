import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generate, vehicleResponseSchema } from '@vehicle-perf/core'
import { runPipeline } from '../src/pipeline.ts'

const dir = mkdtempSync(join(tmpdir(), 'vp-pipeline-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('core inside a data pipeline', () => {
  it('accounts for every generated row as the generator expects and answers a valid response per vehicle', async () => {
    const generated = generate({ outDir: dir, scale: 0.05, seed: 3 })
    const result = await runPipeline(dir, generated.files)
    const expected = generated.expected.totals
    expect(result.rowsRead).toBe(expected.rows_read)
    expect(result.accepted).toBe(expected.accepted)
    expect(result.duplicates).toBe(expected.duplicates.exact + expected.duplicates.conflict)
    expect(result.rejects.length).toBe(expected.rejected.rows)
    expect(result.responses.length).toBe(generated.vehicles)
    for (const response of result.responses) vehicleResponseSchema.parse(response)
  })
})
