import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isValidId, normaliseRecord, sameNormalisedValues, type OperationRow, type RejectReason, type RowKind } from '@vehicle-perf/core'

const ride = {
  ride_id: 'R0000000000000000001',
  vehicle_id: 'f42vVrTOJh7yVYJACDCv',
  time_ride_start: '2019-05-01 10:00:00 UTC',
  time_ride_end: '2019-05-01 10:10:00 UTC',
  start_lat: '48.83',
  start_lng: '2.38',
  end_lat: '48.83',
  end_lng: '2.36',
  gross_amount: '2.5',
}
const pickup = {
  task_id: 'P0000000000000000001',
  vehicle_id: 'f42vVrTOJh7yVYJACDCv',
  qr_code: 'xxbgc5',
  time_task_created: '2019-05-01 10:00:00 UTC',
  time_task_resolved: '2019-05-01 10:30:00 UTC',
}
const deployment = { task_id: 'D0000000000000000001', vehicle_id: 'f42vVrTOJh7yVYJACDCv', time_task_created: '2019-05-01 10:00:00 UTC', time_task_resolved: '2019-05-01 10:30:00 UTC' }

/** What normalisation promises of a ride: valid ids, whole UTC ms, points in range (0 is no point), whole non-negative cents. */
function isNormalRide(row: OperationRow): boolean {
  if (row.kind !== 'ride') return false
  const pointOk = (p: { lat: number; lng: number } | null): boolean => p === null || (Math.abs(p.lat) <= 90 && Math.abs(p.lng) <= 180 && p.lat !== 0 && p.lng !== 0)
  return (
    isValidId(row.rideId) &&
    isValidId(row.vehicleId) &&
    Number.isInteger(row.startedAt) &&
    Number.isInteger(row.endedAt) &&
    row.endedAt >= row.startedAt &&
    pointOk(row.start) &&
    pointOk(row.end) &&
    (row.amountCents === null || (Number.isInteger(row.amountCents) && row.amountCents >= 0))
  )
}

function reasons(kind: RowKind, record: Record<string, string>): RejectReason[] {
  const result = normaliseRecord(kind, record)
  return result.ok ? [] : result.reasons
}

describe('row validation', () => {
  it('accepts a good row of each kind', () => {
    expect(reasons('ride', ride)).toEqual([])
    expect(reasons('pickup', pickup)).toEqual([])
    expect(reasons('deployment', deployment)).toEqual([])
  })

  it.each<[string, RowKind, Record<string, string>, RejectReason[]]>([
    ['an empty id', 'deployment', { ...deployment, task_id: '' }, ['missing_field']],
    ['a 19-character id', 'deployment', { ...deployment, vehicle_id: 'f42vVrTOJh7yVYJACDC' }, ['bad_id']],
    ['an id with a leading space', 'ride', { ...ride, ride_id: ' R000000000000000001' }, ['bad_id']],
    ['an empty qr code', 'pickup', { ...pickup, qr_code: '' }, ['missing_field']],
    ['a qr code with a dash', 'pickup', { ...pickup, qr_code: 'XX-GC5' }, ['bad_qr_code']],
    ['an impossible date', 'pickup', { ...pickup, time_task_created: '2019-02-30 10:00:00 UTC' }, ['bad_timestamp']],
    ['resolved before created', 'deployment', { ...deployment, time_task_resolved: '2019-05-01 09:59:59.999 UTC' }, ['resolved_before_created']],
    ['a ride ending before it starts', 'ride', { ...ride, time_ride_end: '2019-05-01 09:00:00 UTC' }, ['ride_ends_before_start']],
    ['a latitude out of range', 'ride', { ...ride, start_lat: '90.5' }, ['bad_coordinate']],
    ['an out-of-range longitude beside a 0 latitude', 'ride', { ...ride, end_lat: '0', end_lng: '181' }, ['bad_coordinate']],
    ['a non-numeric coordinate', 'ride', { ...ride, end_lng: 'abc' }, ['bad_coordinate']],
    ['an empty coordinate', 'ride', { ...ride, end_lng: '' }, ['missing_field']],
    ['a negative amount', 'ride', { ...ride, gross_amount: '-0.001' }, ['bad_amount']],
    ['an amount with a decimal comma', 'ride', { ...ride, gross_amount: '2,50' }, ['bad_amount']],
    ['an amount with a leading space', 'ride', { ...ride, gross_amount: ' 2.5' }, ['bad_amount']],
  ])('rejects %s', (_name, kind, record, expected) => {
    expect(reasons(kind, record)).toEqual(expected)
  })

  it('gives every reason that applies', () => {
    expect(reasons('ride', { ...ride, ride_id: 'x', vehicle_id: '', start_lat: '1e3', gross_amount: 'NaN' }).sort()).toEqual(
      ['bad_amount', 'bad_coordinate', 'bad_id', 'missing_field'].sort(),
    )
  })

  it('reads an empty amount as missing, not bad', () => {
    const result = normaliseRecord('ride', { ...ride, gross_amount: '' })
    expect(result.ok && result.row.kind === 'ride' && result.row.amountCents).toBeNull()
  })

  it('reads a point with a 0 latitude or longitude as missing', () => {
    const result = normaliseRecord('ride', { ...ride, end_lat: '0', end_lng: '0', start_lng: '0' })
    expect(result.ok && result.row.kind === 'ride' && [result.row.start, result.row.end]).toEqual([null, null])
  })

  it('stores qr codes upper-case', () => {
    const result = normaliseRecord('pickup', pickup)
    expect(result.ok && result.row.kind === 'pickup' && result.row.qrCode).toBe('XXBGC5')
  })

  it('compares normalised values: the same ride written two ways is an exact duplicate, another amount is not', () => {
    const a = normaliseRecord('ride', ride)
    const b = normaliseRecord('ride', { ...ride, time_ride_start: '2019-05-01T12:00:00.000+02:00', start_lat: '48.830', gross_amount: '2.50' })
    const c = normaliseRecord('ride', { ...ride, gross_amount: '2.51' })
    if (!a.ok || !b.ok || !c.ok) throw new Error('rows should be valid')
    expect(sameNormalisedValues(a.row, b.row)).toBe(true)
    expect(sameNormalisedValues(a.row, c.row)).toBe(false)
  })

  it('accepts only rows whose values are in their normal form (property)', () => {
    const text = fc.oneof(fc.constantFrom(...Object.values(ride), '0', '-0', '90', '1e3', ''), fc.string({ maxLength: 22 }))
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...Object.keys(ride)), text), (overrides) => {
        const result = normaliseRecord('ride', { ...ride, ...overrides })
        if (result.ok) expect(isNormalRide(result.row)).toBe(true)
        else expect(result.reasons.length).toBeGreaterThan(0)
      }),
    )
  })
})
