import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { divideHalfEven, formatTimestamp, parseAmountCents, parseCoordinate, parseTimestamp, parseVehicleKey } from '@vehicle-perf/core'

describe('timestamps', () => {
  it('reads the UTC-suffix format with 0 to 6 fraction digits', () => {
    expect(formatTimestamp(parseTimestamp('2019-05-19 02:34:31 UTC') as number)).toBe('2019-05-19T02:34:31.000Z')
    expect(formatTimestamp(parseTimestamp('2019-05-20 06:38:49.76 UTC') as number)).toBe('2019-05-20T06:38:49.760Z')
    expect(formatTimestamp(parseTimestamp('2019-05-19 02:34:31.999 UTC') as number)).toBe('2019-05-19T02:34:31.999Z')
  })

  it('truncates digits beyond milliseconds, never rounds', () => {
    expect(formatTimestamp(parseTimestamp('2019-05-19 02:34:31.999999 UTC') as number)).toBe('2019-05-19T02:34:31.999Z')
    expect(formatTimestamp(parseTimestamp('2019-05-19T02:34:31.1239Z') as number)).toBe('2019-05-19T02:34:31.123Z')
  })

  it('reads ISO 8601 with Z, +HH:MM, +HHMM and negative offsets', () => {
    const utc = parseTimestamp('2019-05-19T02:34:31Z')
    expect(parseTimestamp('2019-05-19T04:34:31+02:00')).toBe(utc)
    expect(parseTimestamp('2019-05-19T04:34:31+0200')).toBe(utc)
    expect(parseTimestamp('2019-05-18T23:34:31-03:00')).toBe(utc)
  })

  it.each([
    ['hour 24', '2019-05-19 24:00:00 UTC'],
    ['second 60', '2019-05-19 23:59:60 UTC'],
    ['an impossible date', '2019-02-30 10:00:00 UTC'],
    ['29 February of a common year', '2019-02-29 10:00:00 UTC'],
    ['a lower-case t', '2019-05-19t02:34:31Z'],
    ['a lower-case z', '2019-05-19T02:34:31z'],
    ['no seconds', '2019-05-19T02:34Z'],
    ['seven fraction digits in the UTC format', '2019-05-19 02:34:31.1234567 UTC'],
    ['a dot without digits', '2019-05-19 02:34:31. UTC'],
    ['a leading space', ' 2019-05-19 02:34:31 UTC'],
    ['no zone', '2019-05-19T02:34:31'],
    ['month 13', '2019-13-01 00:00:00 UTC'],
    ['an offset minute of 60', '2019-05-19T02:34:31+01:60'],
  ])('rejects %s', (_name, text) => {
    expect(parseTimestamp(text)).toBeNull()
  })

  it('accepts 29 February of a leap year', () => {
    expect(formatTimestamp(parseTimestamp('2020-02-29 10:00:00 UTC') as number)).toBe('2020-02-29T10:00:00.000Z')
  })

  it('agrees with Date for every valid instant (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString()
        expect(parseTimestamp(iso)).toBe(date.getTime())
        expect(parseTimestamp(`${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`)).toBe(date.getTime())
      }),
    )
  })
})

describe('coordinates', () => {
  it('treats 0 and -0 as the missing value, not as invalid', () => {
    expect(parseCoordinate('0', 90)).toBe(0)
    expect(parseCoordinate('-0', 90)).toBe(0)
    expect(parseCoordinate('0.000', 180)).toBe(0)
  })

  it('includes the range limits and rejects anything beyond, exactly', () => {
    expect(parseCoordinate('90', 90)).toBe(90)
    expect(parseCoordinate('-180.000', 180)).toBe(-180)
    expect(parseCoordinate('90.0000000000000000001', 90)).toBeNull()
    expect(parseCoordinate('180.5', 180)).toBeNull()
  })

  it('reads every plain decimal in range to the same double as Number() does, however many digits it has', () => {
    const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''))
    const decimal = fc
      .tuple(fc.boolean(), digits(1, 4), fc.option(digits(1, 22), { nil: undefined }))
      .map(([negative, integer, fraction]) => `${negative ? '-' : ''}${integer}${fraction === undefined ? '' : `.${fraction}`}`)
    fc.assert(
      fc.property(decimal, fc.constantFrom(90 as const, 180 as const), (text, limit) => {
        const expected = Number(text)
        const parsed = parseCoordinate(text, limit)
        if (Math.abs(expected) < limit) expect(parsed).not.toBeNull()
        // -0 reads as 0 (the missing value), every other value bit for bit.
        if (parsed !== null) expect(Object.is(parsed, expected === 0 ? 0 : expected)).toBe(true)
      }),
      { numRuns: 5000 },
    )
    expect(parseCoordinate('48.843589', 90)).toBe(48.843589)
    expect(parseCoordinate('-2.3683800000000001', 180)).toBe(-2.3683800000000001)
  })

  it.each(['1e3', 'NaN', 'Infinity', '2,50', ' 48.8', '48.8 ', '+48.8', '.5', '5.', ''])('rejects %j as not a plain decimal', (text) => {
    expect(parseCoordinate(text, 90)).toBeNull()
  })
})

describe('amounts', () => {
  it('holds amounts as integer cents, half-even beyond 2 decimals', () => {
    expect(parseAmountCents('2.60')).toBe(260)
    expect(parseAmountCents('2')).toBe(200)
    expect(parseAmountCents('2.345')).toBe(234)
    expect(parseAmountCents('2.355')).toBe(236)
    expect(parseAmountCents('2.3450001')).toBe(235)
    expect(parseAmountCents('0.005')).toBe(0)
    expect(parseAmountCents('0.015')).toBe(2)
    expect(parseAmountCents('80.93')).toBe(8093)
  })

  it('judges negativity before rounding: -0 is 0, -0.001 is bad', () => {
    expect(parseAmountCents('-0')).toBe(0)
    expect(parseAmountCents('-0.00')).toBe(0)
    expect(parseAmountCents('-0.001')).toBeNull()
    expect(parseAmountCents('-1.50')).toBeNull()
  })

  it.each(['1e3', 'NaN', 'Infinity', '2,50', ' 2.5', '2.5 ', 'abc', '99999999999999.00'])('rejects %j', (text) => {
    expect(parseAmountCents(text)).toBeNull()
  })

  it('rounds like exact decimal arithmetic for any 3-decimal amount (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (thousandths) => {
        const text = `${Math.floor(thousandths / 1000)}.${String(thousandths % 1000).padStart(3, '0')}`
        const floor = Math.floor(thousandths / 10)
        const rest = thousandths % 10
        const expected = rest > 5 || (rest === 5 && floor % 2 === 1) ? floor + 1 : floor
        expect(parseAmountCents(text)).toBe(expected)
      }),
    )
  })
})

describe('half-even division', () => {
  it('rounds ties to even (1/32 at 4 decimals is 0.0312)', () => {
    expect(divideHalfEven(1 * 10_000, 32)).toBe(312)
    expect(divideHalfEven(3 * 10_000, 32)).toBe(938)
    expect(divideHalfEven(5, 2)).toBe(2)
    expect(divideHalfEven(7, 2)).toBe(4)
    expect(divideHalfEven(2, 3)).toBe(1)
  })

  it('matches BigInt arithmetic for large operands (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 2 ** 40 }), (n, d) => {
        const q = BigInt(n) / BigInt(d)
        const r = BigInt(n) % BigInt(d)
        const expected = 2n * r > BigInt(d) || (2n * r === BigInt(d) && q % 2n === 1n) ? q + 1n : q
        expect(divideHalfEven(n, d)).toBe(Number(expected))
      }),
    )
  })
})

describe('lookup keys', () => {
  it('reads 20 characters as a vehicle id and 6 as a QR code, upper-cased', () => {
    expect(parseVehicleKey('f42vVrTOJh7yVYJACDCv')).toEqual({ type: 'vehicle_id', value: 'f42vVrTOJh7yVYJACDCv' })
    expect(parseVehicleKey('xxbgc5')).toEqual({ type: 'qr_code', value: 'XXBGC5' })
  })
  it.each(['', 'abc', 'XXBGC5X', 'f42vVrTOJh7yVYJACDC!', 'XXBGC ', 'é12345'])('rejects %j', (text) => {
    expect(parseVehicleKey(text)).toBeNull()
  })
})

describe('timestamp formatting', () => {
  it('writes the same text as Date#toISOString for every instant of years 0000-9999 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        expect(formatTimestamp(ms)).toBe(new Date(ms).toISOString())
      }),
    )
  })
})
