import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RejectReason } from '../rows/reject-reasons.js'
import type { RowKind } from '../rows/kinds.js'
import { CsvBatchFiles, type ExpectedFileAccounting } from './csv-batch-files.js'
import { Random, deriveSeed, makeId, makeQrCode } from './random.js'

/** Rates of the anomalies the pipeline must survive. Per row unless said otherwise. */
export interface AnomalyRates {
  /** The same line again, right after it, in the same file. */
  exactDuplicate: number
  /** A later copy with a different value (amount, resolved time) in the next batch file. */
  conflictDuplicate: number
  /** An extra malformed row; reasons rotate so every reject reason appears. */
  malformed: number
  rideWithoutAmount: number
  /** Ride end point written as 0,0 (missing, not invalid). */
  endPointZero: number
  /** Amount written with 3 decimals (rounded half-even to cents). */
  subCentAmount: number
  /** Per vehicle: a ride before its first deployment. */
  orphanRide: number
  /** Per cycle: the next deployment comes without a pickup. */
  redeployWithoutPickup: number
  /** Per vehicle: the last cycle has no pickup yet. */
  openCycle: number
  /** Per vehicle: only pickups, never deployed in the period. */
  pickupOnlyVehicle: number
  /** Per vehicle: later pickups carry the previous vehicle's QR code. */
  qrReassigned: number
  /** Rows in the last hours of a batch period are also sent with the next batch. */
  batchOverlapHours: number
}

export const DEFAULT_ANOMALY_RATES: AnomalyRates = {
  exactDuplicate: 0.002,
  conflictDuplicate: 0.0005,
  malformed: 0.0005,
  rideWithoutAmount: 0.0009,
  endPointZero: 0.001,
  subCentAmount: 0.01,
  orphanRide: 0.02,
  redeployWithoutPickup: 0.03,
  openCycle: 0.12,
  pickupOnlyVehicle: 0.03,
  qrReassigned: 0.005,
  batchOverlapHours: 6,
}

export const NO_ANOMALIES: AnomalyRates = {
  exactDuplicate: 0,
  conflictDuplicate: 0,
  malformed: 0,
  rideWithoutAmount: 0,
  endPointZero: 0,
  subCentAmount: 0,
  orphanRide: 0,
  redeployWithoutPickup: 0,
  openCycle: 0,
  pickupOnlyVehicle: 0,
  qrReassigned: 0,
  batchOverlapHours: 0,
}

export interface GenerateOptions {
  outDir: string
  /** 1 is the real data set's size: ~4,200 vehicles, ~115k rows. */
  scale?: number
  seed?: number
  /** First day of the period, UTC. */
  startDate?: string
  days?: number
  /** Length of one batch period; each period gets one file per kind. */
  batchDays?: number
  anomalies?: Partial<AnomalyRates>
  /**
   * Added to task and ride id counters. With the same seed the vehicles are
   * the same; an offset gives their later batches fresh ids (e.g. a June
   * batch on top of May: `{ startDate: '2019-06-01', idOffset: 1e8 }`).
   */
  idOffset?: number
  onProgress?: (vehiclesDone: number, vehiclesTotal: number) => void
}

export interface GenerateResult {
  outDir: string
  vehicles: number
  files: string[]
  /** What ingesting the files in name order must report, per file and in total. */
  expected: ExpectedAccounting
}

export interface ExpectedAccounting {
  files: Record<string, ExpectedFileAccounting>
  totals: ExpectedFileAccounting & { files: number }
}

const VEHICLES_AT_SCALE_1 = 4200
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const PARIS = { lat: 48.8566, lng: 2.3522 }

const MALFORMED_REASONS: Record<RowKind, RejectReason[]> = {
  deployment: ['missing_field', 'bad_id', 'bad_timestamp', 'resolved_before_created', 'wrong_column_count'],
  pickup: ['missing_field', 'bad_id', 'bad_qr_code', 'bad_timestamp', 'resolved_before_created', 'wrong_column_count'],
  ride: ['missing_field', 'bad_id', 'bad_timestamp', 'ride_ends_before_start', 'bad_coordinate', 'bad_amount', 'wrong_column_count'],
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

/** Writes ms the ways the real exports do: `UTC` suffix with 0-6 fraction digits, or ISO 8601. */
function csvTimestamp(ms: number, random: Random): string {
  const d = new Date(ms)
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  const millis = pad(d.getUTCMilliseconds(), 3)
  const style = random.next()
  if (style < 0.08) return `${date}T${time}.${millis}Z`
  if (style < 0.16) return `${date} ${time}.${millis}${pad(random.int(0, 999), 3)} UTC`
  const trimmed = millis.replace(/0+$/, '')
  return trimmed === '' ? `${date} ${time} UTC` : `${date} ${time}.${trimmed} UTC`
}

interface RowDraft {
  kind: RowKind
  time: number
  fields: string[]
  /** The same row with one value changed: a conflicting duplicate. */
  altered: () => string[]
}

class FleetWriter {
  private malformedTurn: Record<RowKind, number> = { deployment: 0, pickup: 0, ride: 0 }
  private malformedCounter = 0

  constructor(
    private readonly files: CsvBatchFiles,
    private readonly rates: AnomalyRates,
    private readonly startMs: number,
    private readonly batchMs: number,
    private readonly batchCount: number,
  ) {}

  private batchOf(time: number): number {
    return Math.min(this.batchCount - 1, Math.max(0, Math.floor((time - this.startMs) / this.batchMs)))
  }

  emit(draft: RowDraft, random: Random): void {
    const batch = this.batchOf(draft.time)
    const line = draft.fields.join(',')
    this.files.write(draft.kind, batch, line, { type: 'accepted' })
    if (random.chance(this.rates.exactDuplicate)) this.files.write(draft.kind, batch, line, { type: 'exact' })
    if (random.chance(this.rates.conflictDuplicate)) {
      this.files.write(draft.kind, Math.min(batch + 1, this.batchCount - 1), draft.altered().join(','), { type: 'conflict' })
    }
    const batchEnd = this.startMs + (batch + 1) * this.batchMs
    if (batch + 1 < this.batchCount && draft.time >= batchEnd - this.rates.batchOverlapHours * HOUR) {
      this.files.write(draft.kind, batch + 1, line, { type: 'exact' })
    }
    if (random.chance(this.rates.malformed)) this.emitMalformed(draft, batch, random)
  }

  private emitMalformed(draft: RowDraft, batch: number, random: Random): void {
    const reasons = MALFORMED_REASONS[draft.kind]
    const reason = reasons[this.malformedTurn[draft.kind]++ % reasons.length] as RejectReason
    const fields = [...draft.fields]
    fields[0] = makeId('x', this.malformedCounter++, random)
    switch (reason) {
      case 'missing_field':
        fields[1] = ''
        break
      case 'bad_id':
        fields[0] = `${fields[0]?.slice(0, 19)}-`
        break
      case 'bad_qr_code':
        fields[2] = 'QR-12'
        break
      case 'bad_timestamp':
        fields[draft.kind === 'pickup' ? 3 : 2] = '2019-02-30 10:00:00 UTC'
        break
      case 'resolved_before_created':
      case 'ride_ends_before_start': {
        const first = draft.kind === 'pickup' ? 3 : 2
        const [a, b] = [fields[first] as string, fields[first + 1] as string]
        fields[first] = b
        fields[first + 1] = a
        break
      }
      case 'bad_coordinate':
        fields[4] = '91.5'
        break
      case 'bad_amount':
        fields[8] = ['"2,50"', '-1.50', '1e3'][random.int(0, 2)] as string
        break
      case 'wrong_column_count':
        fields.pop()
        break
    }
    this.files.write(draft.kind, batch, fields.join(','), { type: 'rejected', reason })
  }
}

interface Vehicle {
  index: number
  id: string
  qrCode: string
}

function simulateVehicle(
  vehicle: Vehicle,
  previousQrCode: string | null,
  random: Random,
  writer: FleetWriter,
  rates: AnomalyRates,
  startMs: number,
  periodMs: number,
  counters: { task: number; ride: number },
): void {
  const ts = (ms: number): string => csvTimestamp(ms, random)
  const pickupRow = (createdAt: number, resolvedAt: number, qrCode: string): RowDraft => {
    const taskId = makeId('p', counters.task++, random)
    const fields = [taskId, vehicle.id, qrCode, ts(createdAt), ts(resolvedAt)]
    return {
      kind: 'pickup',
      time: createdAt,
      fields,
      altered: () => [taskId, vehicle.id, qrCode, fields[3] as string, ts(resolvedAt + 1000)],
    }
  }

  if (random.chance(rates.pickupOnlyVehicle)) {
    const pickups = random.int(1, 3)
    for (let i = 0; i < pickups; i++) {
      const createdAt = startMs + random.between(0, periodMs - 3 * HOUR)
      writer.emit(pickupRow(createdAt, createdAt + random.between(10 * MINUTE, 2 * HOUR), vehicle.qrCode), random)
    }
    return
  }

  const cycles = 1 + random.poisson(3.28)
  const slot = (periodMs - DAY) / cycles
  let t = startMs + random.between(0, Math.min(12 * HOUR, 0.1 * slot))
  const reassignAfter = previousQrCode !== null && random.chance(rates.qrReassigned) ? random.int(0, cycles - 1) : Infinity
  const lastIsOpen = random.chance(rates.openCycle)
  const home = { lat: PARIS.lat + random.normal() * 0.025, lng: PARIS.lng + random.normal() * 0.04 }

  const emitRide = (startedAt: number): void => {
    const minutes = Math.min(480, Math.max(1, Math.exp(Math.log(10.5) + random.normal() * 0.6)))
    const endedAt = startedAt + Math.round(minutes * MINUTE + random.between(0, 999))
    const start = { lat: home.lat + random.normal() * 0.01, lng: home.lng + random.normal() * 0.015 }
    const km = (minutes / 60) * random.between(7, 15)
    const bearing = random.between(0, 2 * Math.PI)
    const end = { lat: start.lat + (km / 111.2) * Math.cos(bearing), lng: start.lng + (km / 73.2) * Math.sin(bearing) }
    let amount = ''
    if (!random.chance(rates.rideWithoutAmount)) {
      const cents = 100 + Math.round(minutes * 15)
      amount = random.chance(rates.subCentAmount) ? ((cents * 10 + random.int(0, 9)) / 1000).toFixed(3) : (cents / 100).toFixed(2)
    }
    const endZero = random.chance(rates.endPointZero)
    const rideId = makeId('r', counters.ride++, random)
    const fields = [
      rideId,
      vehicle.id,
      ts(startedAt),
      ts(endedAt),
      start.lat.toFixed(6),
      start.lng.toFixed(6),
      endZero ? '0' : end.lat.toFixed(6),
      endZero ? '0' : end.lng.toFixed(6),
      amount,
    ]
    const altered = (): string[] => {
      const copy = [...fields]
      copy[8] = amount === '' ? '1.00' : (Number(amount) + 0.5).toFixed(2)
      return copy
    }
    writer.emit({ kind: 'ride', time: startedAt, fields, altered }, random)
  }

  if (random.chance(rates.orphanRide)) emitRide(t - random.between(HOUR, 6 * HOUR))

  for (let cycle = 0; cycle < cycles; cycle++) {
    const createdAt = t
    const startedAt = createdAt + random.between(5 * MINUTE, 90 * MINUTE)
    const taskId = makeId('d', counters.task++, random)
    const fields = [taskId, vehicle.id, ts(createdAt), ts(startedAt)]
    writer.emit(
      { kind: 'deployment', time: createdAt, fields, altered: () => [taskId, vehicle.id, fields[2] as string, ts(startedAt + 1000)] },
      random,
    )
    // Street time, pickup and time off the street fit in the vehicle's slot, so the data stays inside the period.
    const streetMs = slot * random.between(0.45, 0.75)
    const rides = random.poisson(4.4)
    const starts: number[] = []
    for (let i = 0; i < rides; i++) starts.push(startedAt + random.between(60_000, streetMs))
    starts.sort((a, b) => a - b)
    for (const rideStart of starts) emitRide(rideStart)

    const isLast = cycle === cycles - 1
    if (isLast && lastIsOpen) break
    const streetEnd = startedAt + streetMs
    if (!isLast && random.chance(rates.redeployWithoutPickup)) {
      // Moved to another spot by the operator: the next deployment follows directly.
      t = streetEnd
      continue
    }
    const qrCode = cycle >= reassignAfter && previousQrCode !== null ? previousQrCode : vehicle.qrCode
    const resolvedAt = streetEnd + random.between(10 * MINUTE, 2 * HOUR)
    writer.emit(pickupRow(streetEnd, resolvedAt, qrCode), random)
    t = Math.max(resolvedAt, startMs + (cycle + 1) * slot + random.between(0, 0.15 * slot))
  }
}

function sumAccounting(files: Record<string, ExpectedFileAccounting>): ExpectedAccounting['totals'] {
  const totals: ExpectedAccounting['totals'] = {
    files: 0,
    rows_read: 0,
    accepted: 0,
    duplicates: { exact: 0, conflict: 0 },
    rejected: { rows: 0, reasons: {} },
  }
  for (const file of Object.values(files)) {
    totals.files++
    totals.rows_read += file.rows_read
    totals.accepted += file.accepted
    totals.duplicates.exact += file.duplicates.exact
    totals.duplicates.conflict += file.duplicates.conflict
    totals.rejected.rows += file.rejected.rows
    for (const [reason, count] of Object.entries(file.rejected.reasons) as [RejectReason, number][]) {
      totals.rejected.reasons[reason] = (totals.rejected.reasons[reason] ?? 0) + count
    }
  }
  return totals
}

/**
 * Writes a synthetic fleet with the real data set's profile (domain.md §10) as
 * periodic, overlapping CSV batch files, plus `expected-accounting.json`:
 * what an ingest of the folder must report. Deterministic for a seed and
 * streaming: memory does not grow with scale.
 */
export function generate(options: GenerateOptions): GenerateResult {
  const scale = options.scale ?? 1
  const seed = options.seed ?? 42
  const days = options.days ?? 31
  const batchDays = options.batchDays ?? 7
  const rates: AnomalyRates = { ...DEFAULT_ANOMALY_RATES, ...options.anomalies }
  const startMs = Date.parse(`${options.startDate ?? '2019-05-01'}T00:00:00Z`)
  const batchCount = Math.ceil(days / batchDays)
  const labels = Array.from({ length: batchCount }, (_, i) => new Date(startMs + i * batchDays * DAY).toISOString().slice(0, 10))
  const files = new CsvBatchFiles(options.outDir, labels)
  const writer = new FleetWriter(files, rates, startMs, batchDays * DAY, batchCount)
  const vehicles = Math.max(1, Math.round(VEHICLES_AT_SCALE_1 * scale))
  const counters = { task: options.idOffset ?? 0, ride: options.idOffset ?? 0 }
  let previousQrCode: string | null = null
  for (let index = 0; index < vehicles; index++) {
    const random = new Random(deriveSeed(seed, index))
    const vehicle: Vehicle = { index, id: makeId('v', index, random), qrCode: makeQrCode(index) }
    simulateVehicle(vehicle, previousQrCode, random, writer, rates, startMs, days * DAY, counters)
    previousQrCode = vehicle.qrCode
    if (options.onProgress !== undefined && (index + 1) % 1000 === 0) options.onProgress(index + 1, vehicles)
  }
  const perFile = files.close()
  const expected: ExpectedAccounting = { files: perFile, totals: sumAccounting(perFile) }
  writeFileSync(join(options.outDir, 'expected-accounting.json'), JSON.stringify(expected, null, 2) + '\n')
  options.onProgress?.(vehicles, vehicles)
  return { outDir: options.outDir, vehicles, files: Object.keys(perFile), expected }
}
