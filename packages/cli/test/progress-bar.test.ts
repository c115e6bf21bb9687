import { describe, expect, it } from 'vitest'
import type { IngestProgress } from '@vehicle-perf/core'
import { barState } from '../src/progress-bar.js'

const base: IngestProgress = {
  phase: 'read',
  source: 'rides_2019-05-01.csv',
  fileIndex: 2,
  fileCount: 15,
  bytesRead: 500,
  bytesTotal: 2000,
  rowsRead: 12345,
  storeStep: null,
  vehiclesRefreshed: 0,
  vehiclesToRefresh: null,
}

describe('the ingest progress bar', () => {
  it('fills with bytes while reading and names the file', () => {
    expect(barState(base)).toEqual({ value: 500, total: 2000, payload: { phase: 'reading   ', rows: '12,345', detail: 'rides_2019-05-01.csv (3/15)' } })
  })

  it('fills with the store phase\'s steps and names the one running, instead of sitting full on the last byte', () => {
    const before = barState({ ...base, phase: 'store', bytesRead: 2000 })
    expect(before).toMatchObject({ value: 0, payload: { detail: 'resolving keys' } })
    const during = barState({ ...base, phase: 'store', bytesRead: 2000, storeStep: { done: 3, total: 9, label: 'pickups: settling keys' } })
    expect(during).toMatchObject({ value: 3, total: 9, payload: { phase: 'storing   ', detail: 'pickups: settling keys (step 4 of 9)' } })
    const after = barState({ ...base, phase: 'store', bytesRead: 2000, storeStep: { done: 9, total: 9, label: 'duplicates' } })
    expect(after).toMatchObject({ value: 9, total: 9, payload: { detail: 'logging duplicates' } })
  })

  it('fills with vehicles refreshed out of the vehicles to refresh, and stays empty while that total is unknown', () => {
    const known = barState({ ...base, phase: 'refresh', vehiclesRefreshed: 1500, vehiclesToRefresh: 4200 })
    expect(known).toMatchObject({ value: 1500, total: 4200, payload: { phase: 'refreshing', detail: '1,500 of 4,200 vehicles' } })
    const unknown = barState({ ...base, phase: 'refresh', vehiclesRefreshed: 0, vehiclesToRefresh: null })
    expect(unknown).toMatchObject({ value: 0, total: 1, payload: { detail: '0 vehicles' } })
  })

  it('says what the wait is for while the run commits', () => {
    expect(barState({ ...base, phase: 'commit' })).toMatchObject({ value: 1, total: 1, payload: { phase: 'committing', detail: 'writing the store to disk' } })
  })
})
