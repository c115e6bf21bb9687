import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryStorage, generate, ingest, lookupVehicle, lookupVehicleHistory, type StorageAdapter, type VehicleResponse } from '@vehicle-perf/core'

const dir = mkdtempSync(join(tmpdir(), 'vp-history-'))
let store: StorageAdapter
let vehicles: string[]

beforeAll(async () => {
  generate({ outDir: dir, scale: 0.05, seed: 23 })
  store = createMemoryStorage()
  await ingest({ adapter: store, sources: [dir] })
  vehicles = []
  for await (const chunk of store.listKeys(1000)) for (const key of chunk.keys) if (key.type === 'vehicle_id') vehicles.push(key.value)
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a vehicle history', () => {
  it('agrees with the v1 response of every vehicle: lifetime, current cycle, listed cycles and rides', async () => {
    expect(vehicles.length).toBeGreaterThan(100)
    for (const vehicleId of vehicles) {
      const result = await lookupVehicleHistory(store, vehicleId)
      if (result.status !== 200) throw new Error(`no history for ${vehicleId}`)
      const response = JSON.parse((await lookupVehicle(store, vehicleId) as { body: string }).body) as VehicleResponse
      const { history } = result
      expect(history.lifetime).toEqual(response.lifetime)
      expect([history.vehicle_id, history.qr_code, history.as_of]).toEqual([response.vehicle_id, response.qr_code, response.as_of])
      const summaries = history.cycles.map(({ rides: _rides, ...summary }) => summary)
      expect(summaries.at(-1) ?? null).toEqual(response.current_cycle)
      for (const item of response.items) {
        if (item.type === 'cycle') {
          const { type: _type, ...summary } = item
          expect(summaries).toContainEqual(summary)
        } else expect(history.cycles.at(-1)?.rides).toContainEqual(item)
      }
      // Every cycle lists all its rides, in time order; cycles go oldest first.
      for (const cycle of history.cycles) {
        expect(cycle.rides).toHaveLength(cycle.ride_count)
        expect(cycle.rides.map((ride) => ride.started_at)).toEqual(cycle.rides.map((ride) => ride.started_at).sort())
      }
      expect(history.cycles.map((cycle) => cycle.started_at)).toEqual(history.cycles.map((cycle) => cycle.started_at).sort())
      expect(history.cycles.reduce((n, cycle) => n + cycle.rides.length, 0) + history.orphan_rides.length).toBe(history.lifetime.rides)
    }
  })

  it('answers a QR code with the vehicle it resolves to, and malformed or unknown keys as the lookup does', async () => {
    const withQr = (await Promise.all(vehicles.slice(0, 50).map((id) => lookupVehicleHistory(store, id)))).find((r) => r.status === 200 && r.qrCode !== null)
    if (withQr?.status !== 200 || withQr.qrCode === null) throw new Error('no vehicle with a QR code')
    const byQr = await lookupVehicleHistory(store, withQr.qrCode.toLowerCase())
    expect(byQr).toMatchObject({ status: 200, vehicleId: withQr.vehicleId })
    expect(await lookupVehicleHistory(store, 'bad-key')).toMatchObject({ status: 400 })
    expect(await lookupVehicleHistory(store, 'AAAAAAAAAAAAAAAAAAAA')).toMatchObject({ status: 404 })
  })
})
