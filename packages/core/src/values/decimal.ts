// domain.md §1: plain decimals only. No exponent, no NaN/Infinity, no comma, no
// surrounding spaces, no leading "+", at least one digit on each side of a
// dot. Scanned by char codes: coordinates and amounts are 5 of a ride's 9 fields.

const MINUS = 45
const DOT = 46

/** Where a plain decimal's parts are in its text, or null when it is not one. */
interface DecimalShape {
  negative: boolean
  /** Index of the first integer digit. */
  integerStart: number
  /** Index of the dot, or the text length when there is none. */
  dot: number
  /** Value of the integer part (exact up to 15 digits). */
  integerValue: number
  /** True when every digit of the fraction is 0 (or there is none). */
  fractionIsZero: boolean
  /** The fraction's digits as an integer (exact up to 15 digits). */
  fractionValue: number
  /** How many digits the fraction has. */
  fractionDigits: number
}

// Reused: scanning is synchronous, and this runs five times per ride row.
const scratch: DecimalShape = { negative: false, integerStart: 0, dot: 0, integerValue: 0, fractionIsZero: true, fractionValue: 0, fractionDigits: 0 }

function scanDecimal(text: string): DecimalShape | null {
  const length = text.length
  let at = 0
  const negative = text.charCodeAt(0) === MINUS
  if (negative) at++
  const integerStart = at
  let integerValue = 0
  while (at < length) {
    const d = text.charCodeAt(at) - 48
    if (d < 0 || d > 9) break
    integerValue = integerValue * 10 + d
    at++
  }
  if (at === integerStart) return null
  const dot = at
  let fractionIsZero = true
  let fractionValue = 0
  if (at < length) {
    if (text.charCodeAt(at) !== DOT) return null
    at++
    if (at === length) return null
    while (at < length) {
      const d = text.charCodeAt(at) - 48
      if (d < 0 || d > 9) return null
      if (d !== 0) fractionIsZero = false
      fractionValue = fractionValue * 10 + d
      at++
    }
  }
  scratch.negative = negative
  scratch.integerStart = integerStart
  scratch.dot = dot
  scratch.integerValue = integerValue
  scratch.fractionIsZero = fractionIsZero
  scratch.fractionValue = fractionValue
  scratch.fractionDigits = dot < length ? length - dot - 1 : 0
  return scratch
}

/**
 * A latitude or longitude in decimal degrees, or null when it is not a plain
 * decimal or out of range (compared exactly, on the digits). 0 means
 * "missing" to the caller (domain.md §1); `-0` reads as 0.
 */
export function parseCoordinate(text: string, limit: 90 | 180): number | null {
  const shape = scanDecimal(text)
  if (shape === null) return null
  if (shape.integerValue > limit || (shape.integerValue === limit && !shape.fractionIsZero)) return null
  if (shape.integerValue === 0 && shape.fractionIsZero) return 0
  const fractionDigits = shape.fractionDigits
  if (shape.dot - shape.integerStart + fractionDigits <= MAX_EXACT_DIGITS) {
    // Clinger's fast path: the digits as an integer and 10^k are both exact
    // doubles, so one division rounds correctly, as Number(text) does, at a
    // third of its cost (4 coordinates a ride).
    const scale = POWERS_OF_TEN[fractionDigits] as number
    const degrees = (shape.integerValue * scale + shape.fractionValue) / scale
    return shape.negative ? -degrees : degrees
  }
  return Number(text)
}

/** Up to this many digits, a decimal's digits as one integer stay below 2^53. */
const MAX_EXACT_DIGITS = 15
const POWERS_OF_TEN = Array.from({ length: MAX_EXACT_DIGITS + 1 }, (_, k) => 10 ** k)

// Beyond this an amount is not a ride fare: it would also lose precision as a double.
const MAX_AMOUNT_INTEGER_DIGITS = 13

/**
 * A non-negative money amount in integer cents, half-even beyond 2 decimals
 * (2.345 -> 234, 2.355 -> 236). Null when not a plain decimal, negative
 * (judged before rounding: -0.001 is negative, -0 is 0) or absurdly large.
 */
export function parseAmountCents(text: string): number | null {
  const shape = scanDecimal(text)
  if (shape === null) return null
  const isZero = shape.integerValue === 0 && shape.fractionIsZero
  if (shape.negative && !isZero) return null
  let significantStart = shape.integerStart
  while (significantStart < shape.dot - 1 && text.charCodeAt(significantStart) === 48) significantStart++
  if (shape.dot - significantStart > MAX_AMOUNT_INTEGER_DIGITS) return null
  const length = text.length
  const dot = shape.dot
  const tenths = dot + 1 < length ? text.charCodeAt(dot + 1) - 48 : 0
  const hundredths = dot + 2 < length ? text.charCodeAt(dot + 2) - 48 : 0
  let cents = shape.integerValue * 100 + tenths * 10 + hundredths
  const restStart = dot + 3
  if (restStart < length) {
    const first = text.charCodeAt(restStart) - 48
    let beyondHalf = false
    for (let i = restStart + 1; i < length && !beyondHalf; i++) if (text.charCodeAt(i) !== 48) beyondHalf = true
    if (first > 5 || (first === 5 && (beyondHalf || cents % 2 === 1))) cents += 1
  }
  return cents
}

/** Integer cents as the JSON number of euros (at most 2 decimals, integers print as integers). */
export function centsToAmount(cents: number): number {
  return cents / 100
}

/**
 * numerator / denominator rounded half-even to an integer, exactly, for
 * non-negative integers (domain.md §7: 1/32 at 4 decimals -> 0.0312).
 */
export function divideHalfEven(numerator: number, denominator: number): number {
  let quotient = Math.floor(numerator / denominator)
  let remainder = numerator - quotient * denominator
  // Float division can land one off for large operands; settle it on integers.
  if (remainder < 0) {
    quotient -= 1
    remainder += denominator
  } else if (remainder >= denominator) {
    quotient += 1
    remainder -= denominator
  }
  const twice = remainder * 2
  if (twice > denominator) return quotient + 1
  if (twice === denominator && quotient % 2 === 1) return quotient + 1
  return quotient
}
