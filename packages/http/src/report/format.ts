const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Every value put into the page goes through this, even ones that were validated. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] as string)
}

export function euros(value: number | null): string {
  return value === null ? '—' : `€${value.toFixed(2)}`
}

export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(2)} %`
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

export function distance(metres: number | null): string {
  if (metres === null) return '—'
  return metres < 1000 ? `${metres} m` : `${(metres / 1000).toFixed(2)} km`
}

/** `2019-05-31T23:58:01.112Z` -> `2019-05-31 23:58 UTC` (the data is UTC; so is the page). */
export function when(iso: string | null): string {
  return iso === null ? '—' : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

/** `05-26 12:00` in a <time> carrying the full instant: compact enough for a phone table. */
export function shortWhen(iso: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(`${iso.slice(5, 10)} ${iso.slice(11, 16)}`)}</time>`
}
