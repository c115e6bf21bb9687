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
