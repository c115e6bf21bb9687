import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generate, REJECT_REASONS } from '@vehicle-perf/core'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vp-generator-'))
  dirs.push(dir)
  return dir
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function contents(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]))
}

describe('the demo data generator', () => {
  it('writes the same bytes for the same seed, and different data for another seed', () => {
    const a = tempDir()
    const b = tempDir()
    const c = tempDir()
    generate({ outDir: a, scale: 0.02, seed: 9 })
    generate({ outDir: b, scale: 0.02, seed: 9 })
    generate({ outDir: c, scale: 0.02, seed: 10 })
    expect(contents(a)).toEqual(contents(b))
    expect(contents(a)['rides_2019-05-01.csv']).not.toEqual(contents(c)['rides_2019-05-01.csv'])
  })

  it('writes weekly batch files per kind, named so that name order is time order', () => {
    const result = generate({ outDir: tempDir(), scale: 0.01, seed: 1 })
    expect(result.files.filter((f) => f.startsWith('rides_'))).toEqual([
      'rides_2019-05-01.csv',
      'rides_2019-05-08.csv',
      'rides_2019-05-15.csv',
      'rides_2019-05-22.csv',
      'rides_2019-05-29.csv',
    ])
  })

  it('produces every reject reason and both duplicate classes when anomaly rates are high', () => {
    const result = generate({ outDir: tempDir(), scale: 0.05, seed: 2, anomalies: { malformed: 0.05, conflictDuplicate: 0.02, exactDuplicate: 0.02 } })
    const totals = result.expected.totals
    expect(Object.keys(totals.rejected.reasons).sort()).toEqual([...REJECT_REASONS].sort())
    expect(totals.duplicates.exact).toBeGreaterThan(0)
    expect(totals.duplicates.conflict).toBeGreaterThan(0)
    expect(totals.rows_read).toBe(totals.accepted + totals.duplicates.exact + totals.duplicates.conflict + totals.rejected.rows)
  })

  it('follows the real data profile at scale 1: ~4,200 vehicles, ~18k deployments and pickups, ~79k rides', () => {
    const result = generate({ outDir: tempDir(), scale: 1, seed: 42 })
    const accepted = (prefix: string): number =>
      Object.entries(result.expected.files)
        .filter(([name]) => name.startsWith(prefix))
        .reduce((sum, [, file]) => sum + file.accepted, 0)
    expect(result.vehicles).toBe(4200)
    expect(accepted('deployments')).toBeGreaterThan(16_000)
    expect(accepted('deployments')).toBeLessThan(20_000)
    expect(accepted('pickups')).toBeGreaterThan(16_000)
    expect(accepted('pickups')).toBeLessThan(20_000)
    expect(accepted('rides')).toBeGreaterThan(70_000)
    expect(accepted('rides')).toBeLessThan(88_000)
  })
})
