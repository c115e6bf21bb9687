import { formatTimestamp, type LoggedDuplicate, type LoggedReject, type OperationRow } from '@vehicle-perf/core'
import { table } from './format-table.js'

// `vehicle-perf rejects` and `vehicle-perf duplicates`: the logged rows as a
// table for a person, JSON lines (snake_case, as every --json output) or
// CSV for a spreadsheet.

export type LogFormat = 'table' | 'json' | 'csv'

/** A normalised row under its source columns' names (domain.md §1), times in ISO 8601 UTC. */
export function rowJson(row: OperationRow): Record<string, string | number | null> {
  const time = (ms: number): string => formatTimestamp(ms)
  switch (row.kind) {
    case 'deployment':
      return { task_id: row.taskId, vehicle_id: row.vehicleId, time_task_created: time(row.createdAt), time_task_resolved: time(row.resolvedAt) }
    case 'pickup':
      return { task_id: row.taskId, vehicle_id: row.vehicleId, qr_code: row.qrCode, time_task_created: time(row.createdAt), time_task_resolved: time(row.resolvedAt) }
    case 'ride':
      return {
        ride_id: row.rideId,
        vehicle_id: row.vehicleId,
        time_ride_start: time(row.startedAt),
        time_ride_end: time(row.endedAt),
        start_lat: row.start?.lat ?? null,
        start_lng: row.start?.lng ?? null,
        end_lat: row.end?.lat ?? null,
        end_lng: row.end?.lng ?? null,
        gross_amount_cents: row.amountCents,
      }
  }
}

export const rejectJson = (r: LoggedReject): string =>
  JSON.stringify({ run_id: r.runId, source: r.source, line: r.line, kind: r.kind, reasons: r.reasons, fields: r.fields, fields_truncated: r.truncated })

export const duplicateJson = (d: LoggedDuplicate): string =>
  JSON.stringify({
    run_id: d.runId,
    source: d.source,
    line: d.line,
    kind: d.kind,
    key: d.key,
    classification: d.classification,
    kept: d.kept === null ? null : rowJson(d.kept),
    incoming: d.incoming === null ? null : rowJson(d.incoming),
  })

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (=, +, -, @
 * first) gets a leading ': these cells hold whatever a hostile file had.
 */
export function csvCell(value: string | number): string {
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const csvLine = (cells: (string | number)[]): string => cells.map(csvCell).join(',')

export const REJECT_CSV_HEADER = 'run_id,source,line,kind,reasons,fields_truncated,fields'
export const rejectCsv = (r: LoggedReject): string => csvLine([r.runId, r.source, r.line, r.kind, r.reasons.join(' '), r.truncated ? 'true' : 'false', r.fields.join(',')])

export const DUPLICATE_CSV_HEADER = 'run_id,source,line,kind,key,classification'
export const duplicateCsv = (d: LoggedDuplicate): string => csvLine([d.runId, d.source, d.line, d.kind, d.key, d.classification])

/** Cut for a terminal: a raw row can be a kilobyte of garbage. */
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
/** Control characters (NUL, escape sequences) from a hostile file shown, not sent to the terminal. */
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)

export function rejectsTable(rejects: readonly LoggedReject[]): string {
  const rows = [['run', 'file', 'line', 'kind', 'reasons', 'fields']]
  for (const r of rejects) rows.push([r.runId, printable(r.source), String(r.line), r.kind, r.reasons.join(', '), clip(printable(r.fields.join(',')), 60) + (r.truncated ? ' (cut)' : '')])
  return table(rows, new Set([2]))
}

/** Which fields of a conflict differ, as `amount 2.50 -> 3.00` would read. */
function differences(d: LoggedDuplicate): string {
  if (d.kept === null || d.incoming === null) return ''
  const kept = rowJson(d.kept)
  const incoming = rowJson(d.incoming)
  return Object.keys(kept)
    .filter((column) => kept[column] !== incoming[column])
    .map((column) => `${column} ${kept[column]} -> ${incoming[column]}`)
    .join('; ')
}

export function duplicatesTable(duplicates: readonly LoggedDuplicate[]): string {
  const rows = [['run', 'file', 'line', 'kind', 'key', 'class', 'kept -> incoming']]
  for (const d of duplicates) rows.push([d.runId, printable(d.source), String(d.line), d.kind, d.key, d.classification, clip(printable(differences(d)), 80)])
  return table(rows, new Set([2]))
}
