import { describe, expect, it } from 'vitest'
import { foldAll, foldToViews, loadCoreWorkload, parseAll } from '../lib/core-workload.ts'

// The benchmarks' own inputs, replayed small: a broken benchmark fails CI.
describe('benchmark workloads', () => {
  it('parse every generated row and fold every vehicle to a response and a view', async () => {
    const workload = await loadCoreWorkload(0.02)
    expect(await parseAll(workload)).toBe(workload.rowsRead)
    expect(workload.vehicles.length).toBe(84)
    expect(foldAll(workload)).toBeGreaterThan(0)
    expect(foldToViews(workload)).toBeGreaterThan(workload.vehicles.length * 200)
  })
})

describe('load benchmark helpers', () => {
  it('reads a process tree\'s CPU time from /proc, and it grows with work', async () => {
    const { processTreeCpuMs } = await import('../lib/process-cpu.ts')
    const before = processTreeCpuMs(process.pid)
    const until = performance.now() + 60
    while (performance.now() < until) {
      // busy: at least 60 ms of CPU, 6 kernel ticks
    }
    expect(processTreeCpuMs(process.pid) - before).toBeGreaterThanOrEqual(30)
  })
})

describe('ingest benchmark', () => {
  it('runs end to end on a tiny scale: plain COPY, PostgreSQL and SQLite, and a 1% batch on each', async () => {
    const { execFileSync } = await import('node:child_process')
    const { join } = await import('node:path')
    // The benchmark runs the built packages, as the CLI does: the test command builds them first.
    const output = execFileSync(process.execPath, ['--import', 'tsx/esm', join(import.meta.dirname, '../ingest.bench.ts'), '0.01'], { encoding: 'utf8', cwd: join(import.meta.dirname, '..') })
    expect(output).toMatch(/\| scale 0\.01, plain COPY \(psql, text\) \|/)
    expect(output).toMatch(/\| scale 0\.01, postgres \| [\d,]+ \|/)
    expect(output).toMatch(/\| scale 0\.01, sqlite \| [\d,]+ \|/)
    expect(output).toMatch(/postgres: incremental \/ full time: [\d.]+ %/)
    expect(output).toMatch(/sqlite: incremental \/ full time: [\d.]+ %/)
  }, 120_000)
})
