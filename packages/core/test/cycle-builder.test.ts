import { describe, expect, it } from 'vitest'
import { buildCycles } from '@vehicle-perf/core'
import { at, deployment, pickup, ride } from './fixtures.js'

describe('deployment cycles', () => {
  it('ends a cycle at the first pickup created after its start', () => {
    const { cycles } = buildCycles([deployment(1, '2019-05-01T08:00', '2019-05-01T09:00')], [pickup(1, '2019-05-02T10:00', '2019-05-02T11:00')], [])
    expect(cycles[0]).toMatchObject({ startedAt: at('2019-05-01T09:00'), endedAt: at('2019-05-02T10:00'), endReason: 'pickup', pickupId: 'P1000000000000000000' })
  })

  it('ends a cycle at the next deployment when no pickup comes first', () => {
    const { cycles } = buildCycles([deployment(1, '2019-05-01T09:00'), deployment(2, '2019-05-02T09:00')], [pickup(1, '2019-05-03T10:00')], [])
    expect(cycles.map((c) => [c.endReason, c.endedAt])).toEqual([
      ['redeployed', at('2019-05-02T09:00')],
      ['pickup', at('2019-05-03T10:00')],
    ])
  })

  it('leaves the last cycle open without a pickup or a next deployment', () => {
    const { cycles } = buildCycles([deployment(1, '2019-05-01T09:00')], [pickup(1, '2019-04-30T10:00')], [])
    expect(cycles[0]).toMatchObject({ endedAt: null, endReason: null, pickupId: null })
  })

  it('ignores a pickup created exactly at the cycle start (strictly after only)', () => {
    const { cycles } = buildCycles([deployment(1, '2019-05-01T09:00')], [pickup(1, '2019-05-01T09:00')], [])
    expect(cycles[0]?.endReason).toBeNull()
  })

  it('gives `pickup` when the pickup is created exactly at the next deployment start', () => {
    const { cycles } = buildCycles([deployment(1, '2019-05-01T09:00'), deployment(2, '2019-05-02T09:00')], [pickup(1, '2019-05-02T09:00')], [])
    expect(cycles[0]).toMatchObject({ endReason: 'pickup', endedAt: at('2019-05-02T09:00') })
  })

  it('orders deployments with equal resolved time by created time, then input order; the earlier is a zero-length redeployed cycle', () => {
    const a = deployment(1, '2019-05-01T08:30', '2019-05-01T09:00')
    const b = deployment(2, '2019-05-01T08:00', '2019-05-01T09:00')
    const c = deployment(3, '2019-05-01T08:00', '2019-05-01T09:00')
    const { cycles } = buildCycles([a, c, b], [], [])
    expect(cycles.map((cycle) => cycle.deployment.taskId)).toEqual([c.taskId, b.taskId, a.taskId])
    expect(cycles[0]).toMatchObject({ endReason: 'redeployed', endedAt: at('2019-05-01T09:00') })
  })

  it('puts a ride starting exactly at the cycle start in that cycle and one at the exact end in the next', () => {
    const deployments = [deployment(1, '2019-05-01T09:00'), deployment(2, '2019-05-02T09:00')]
    const { cycles } = buildCycles(deployments, [], [ride(1, '2019-05-01T09:00'), ride(2, '2019-05-02T09:00')])
    expect(cycles.map((c) => c.rides.map((r) => r.rideId))).toEqual([['R1000000000000000000'], ['R2000000000000000000']])
  })

  it('makes a ride after a pickup and before the next deployment an orphan, like one before any deployment', () => {
    const { cycles, orphanRides } = buildCycles(
      [deployment(1, '2019-05-01T09:00'), deployment(2, '2019-05-03T09:00')],
      [pickup(1, '2019-05-02T09:00')],
      [ride(1, '2019-04-30T09:00'), ride(2, '2019-05-02T09:00'), ride(3, '2019-05-02T20:00'), ride(4, '2019-05-04T09:00')],
    )
    expect(orphanRides.map((r) => r.rideId)).toEqual(['R1000000000000000000', 'R2000000000000000000', 'R3000000000000000000'])
    expect(cycles[1]?.rides.map((r) => r.rideId)).toEqual(['R4000000000000000000'])
  })

  it('makes every ride an orphan for a vehicle without deployments', () => {
    const { cycles, orphanRides } = buildCycles([], [pickup(1, '2019-05-02T09:00')], [ride(1, '2019-05-01T09:00')])
    expect(cycles).toEqual([])
    expect(orphanRides).toHaveLength(1)
  })
})
