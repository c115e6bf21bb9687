import { writeFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { Random } from './random.ts'

/**
 * Writes `count` request paths of the real mix (docs/domain.md §9), per 10
 * requests: 7 valid keys (uniform over every vehicle of the SQLite store
 * `dbFile`, half by QR code), 2 unknown, 1 malformed. Returns `file`.
 */
export function writeRequestMix(dbFile: string, count: number, file: string): string {
  const db = new Database(dbFile, { readonly: true })
  const vehicles = db.prepare('SELECT vehicle_id, qr_code FROM vehicle_views').all() as { vehicle_id: string; qr_code: string | null }[]
  db.close()
  const random = new Random(7)
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const slot = i % 10
    let key: string
    if (slot < 7) {
      const vehicle = vehicles[random.int(0, vehicles.length - 1)] as (typeof vehicles)[number]
      key = slot % 2 === 0 && vehicle.qr_code !== null ? vehicle.qr_code : vehicle.vehicle_id
    } else if (slot < 9) key = `unknown${String(i).padStart(13, '0')}`
    else key = `bad-key-${i}`
    lines.push(`/api/v1/vehicles/${key}`)
  }
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}
