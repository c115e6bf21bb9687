function isAlphanumeric(value: string, length: number): boolean {
  if (value.length !== length) return false
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i)
    // 0-9, A-Z, a-z
    if (c < 48 || (c > 57 && c < 65) || (c > 90 && c < 97) || c > 122) return false
  }
  return true
}

/** A task, ride or vehicle id: exactly 20 ASCII letters or digits, case-sensitive. */
export function isValidId(value: string): boolean {
  return isAlphanumeric(value, 20)
}

/** A QR code as printed on the scooter: 6 ASCII letters or digits, any case. */
export function isValidQrCode(value: string): boolean {
  return isAlphanumeric(value, 6)
}

/** QR codes are case-insensitive and stored upper-case. */
export function normaliseQrCode(value: string): string {
  return value.toUpperCase()
}

export type VehicleKey = { type: 'vehicle_id'; value: string } | { type: 'qr_code'; value: string }

/**
 * Reads a lookup key the way domain.md §8 defines it: 20 characters is a
 * vehicle id, 6 a QR code (returned upper-case); anything else is null.
 */
export function parseVehicleKey(raw: string): VehicleKey | null {
  if (isValidId(raw)) return { type: 'vehicle_id', value: raw }
  if (isValidQrCode(raw)) return { type: 'qr_code', value: normaliseQrCode(raw) }
  return null
}
