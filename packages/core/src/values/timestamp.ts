// domain.md §1: `YYYY-MM-DD HH:MM:SS[.f] UTC` (1-6 fraction digits) or ISO 8601 with
// an upper-case T, seconds, and `Z`, `+HH:MM` or `+HHMM` (either sign). ISO
// fractions may have up to 9 digits. Everything past the millisecond is
// truncated. Parsed by char codes, without regex match arrays: this runs up
// to four times per row on the ingest path.

const MS_PER_DAY = 86_400_000
const DOT = 46
const SPACE = 32
const UPPER_T = 84
const UPPER_Z = 90
const PLUS = 43
const MINUS = 45
const COLON = 58

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** The number written by `count` ASCII digits at `at`, or -1. */
function digits(text: string, at: number, count: number): number {
  let value = 0
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    value = value * 10 + d
  }
  return value
}

/**
 * Parses a timestamp in one of the accepted formats to UTC epoch milliseconds.
 * Returns null for anything else, including impossible dates (2019-02-30),
 * hour 24 and second 60.
 */
export function parseTimestamp(text: string): number | null {
  const length = text.length
  if (length < 20) return null
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 2)
  const day = digits(text, 8, 2)
  const hour = digits(text, 11, 2)
  const minute = digits(text, 14, 2)
  const second = digits(text, 17, 2)
  if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return null
  if (text.charCodeAt(4) !== MINUS || text.charCodeAt(7) !== MINUS || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return null
  const separator = text.charCodeAt(10)
  if (separator !== SPACE && separator !== UPPER_T) return null
  if (month > 12 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null

  let at = 19
  let millis = 0
  if (text.charCodeAt(at) === DOT) {
    at++
    const fractionStart = at
    while (at < length) {
      const d = text.charCodeAt(at) - 48
      if (d < 0 || d > 9) break
      if (at - fractionStart < 3) millis = millis * 10 + d
      at++
    }
    const fractionDigits = at - fractionStart
    if (fractionDigits === 0 || fractionDigits > (separator === SPACE ? 6 : 9)) return null
    for (let i = fractionDigits; i < 3; i++) millis *= 10
  }

  let offsetMinutes = 0
  if (separator === SPACE) {
    // Exactly " UTC" and nothing after it.
    if (length !== at + 4 || text.charCodeAt(at) !== SPACE || text.charCodeAt(at + 1) !== 85 || text.charCodeAt(at + 2) !== 84 || text.charCodeAt(at + 3) !== 67) {
      return null
    }
  } else {
    const sign = text.charCodeAt(at)
    if (sign === UPPER_Z) {
      if (length !== at + 1) return null
    } else if (sign === PLUS || sign === MINUS) {
      const withColon = text.charCodeAt(at + 3) === COLON
      if (length !== at + (withColon ? 6 : 5)) return null
      const offsetHours = digits(text, at + 1, 2)
      const offsetMins = digits(text, at + (withColon ? 4 : 3), 2)
      if (offsetHours < 0 || offsetMins < 0 || offsetHours > 23 || offsetMins > 59) return null
      offsetMinutes = (offsetHours * 60 + offsetMins) * (sign === MINUS ? -1 : 1)
    } else return null
  }
  const localMs = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis
  return localMs - offsetMinutes * 60_000
}

function two(value: number): string {
  return value < 10 ? `0${value}` : `${value}`
}

/**
 * Writes epoch milliseconds as ISO 8601 UTC with milliseconds:
 * `2019-05-20T06:38:49.760Z`. Same output as Date#toISOString for years
 * 0000-9999, without allocating a Date (it runs ~20 times per vehicle view).
 */
export function formatTimestamp(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY)
  let rest = ms - days * MS_PER_DAY
  // civil_from_days (Howard Hinnant)
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  if (year < 0 || year > 9999) return new Date(ms).toISOString()
  const millis = rest % 1000
  rest = (rest - millis) / 1000
  const second = rest % 60
  rest = (rest - second) / 60
  const minute = rest % 60
  const hour = (rest - minute) / 60
  const yearText = year >= 1000 ? `${year}` : `${year}`.padStart(4, '0')
  const millisText = millis >= 100 ? `${millis}` : millis >= 10 ? `0${millis}` : `00${millis}`
  return `${yearText}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.${millisText}Z`
}
