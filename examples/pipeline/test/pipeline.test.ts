import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { generate, readOperationRows, vehicleResponseSchema, type ParsedBatch } from '@vehicle-perf/core'
import { createReadStream } from 'node:fs'
import { runPipeline } from '../src/pipeline.ts'
import { validateWithCsvParse } from '../src/with-csv-parse.ts'

const dir = mkdtempSync(join(tmpdir(), 'vp-pipeline-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function collect(batches: AsyncIterable<ParsedBatch>): Promise<{ rows: number[]; rejects: [number, string[]][] }> {
  const rows: number[] = []
  const rejects: [number, string[]][] = []
  for await (const batch of batches) {
    rows.push(...batch.rows.map((row) => row.line))
    rejects.push(...batch.rejects.map((reject): [number, string[]] => [reject.line, reject.reasons]))
  }
  return { rows, rejects }
}

describe('core inside a data pipeline', () => {
  it('accounts for every generated row as the generator expects, keeps every reject, and answers a valid response per vehicle', async () => {
    const generated = generate({ outDir: join(dir, 'data'), scale: 0.05, seed: 3 })
    const { report, rejects, responses } = await runPipeline([join(dir, 'data')])
    const { files: _files, ...expected } = generated.expected.totals
    expect(report.totals).toEqual({ files: generated.files.length, failed_files: 0, ...expected })
    expect(rejects.length).toBe(expected.rejected.rows)
    expect(responses.length).toBe(generated.vehicles)
    for (const response of responses) vehicleResponseSchema.parse(response)
  })

  it('validates records parsed by csv-parse exactly as core\'s own parser does, line numbers included', async () => {
    const generated = generate({ outDir: join(dir, 'csv-parse'), scale: 0.02, seed: 5, anomalies: { malformed: 0.05 } })
    for (const name of generated.files) {
      const path = join(dir, 'csv-parse', name)
      const kind = name.startsWith('rides') ? 'ride' : name.startsWith('pickups') ? 'pickup' : 'deployment'
      expect(await collect(validateWithCsvParse(path, kind))).toEqual(await collect(readOperationRows(createReadStream(path), kind)))
    }
    // Blank lines, CRLF and a quoted field over two lines move the lines that follow.
    const tricky = join(dir, 'deployments_tricky.csv')
    writeFileSync(tricky, 'task_id,vehicle_id,time_task_created,time_task_resolved\r\n\r\n"D00000000000000000\r\n01",V0000000000000000001,2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC\r\nD0000000000000000002,V0000000000000000001,nope,2019-05-01 10:05:00 UTC\r\n')
    const ours = await collect(readOperationRows(createReadStream(tricky), 'deployment'))
    expect(ours.rejects.map(([line]) => line)).toEqual([3, 5])
    expect(await collect(validateWithCsvParse(tricky, 'deployment'))).toEqual(ours)
  })

  it('runs as its README says, and leaves nothing in the temp folder', () => {
    const temp = mkdtempSync(join(tmpdir(), 'vp-pipeline-tmp-'))
    try {
      const output = execFileSync(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], { cwd: join(import.meta.dirname, '..'), env: { ...process.env, TMPDIR: temp }, encoding: 'utf8' })
      expect(output).toMatch(/^read \d+ rows: \d+ accepted, \d+ duplicates, \d+ rejected/)
      expect(output).toMatch(/top earner/)
      // tsx keeps its compile cache there (tsx-0); nothing else may be left.
      expect(readdirSync(temp).filter((name) => !name.startsWith('tsx-'))).toEqual([])
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })
})
