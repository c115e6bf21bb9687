import { EARTH_RADIUS_M, type CycleSummary, type RideItem } from '@vehicle-perf/core'
import { escapeHtml, euros, when } from './format.js'

const WIDTH = 320

function svg(height: number, titleId: string, title: string, description: string, body: string): string {
  return `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${titleId} ${titleId}-desc" xmlns="http://www.w3.org/2000/svg"><title id="${titleId}">${escapeHtml(title)}</title><desc id="${titleId}-desc">${escapeHtml(description)}</desc>${body}</svg>`
}

/** Bars of revenue for the cycles in the response, oldest left. */
export function revenueChart(cycles: readonly CycleSummary[]): string {
  if (cycles.length === 0) return '<p class="empty">No deployment cycle yet.</p>'
  const ordered = [...cycles].sort((a, b) => (a.started_at < b.started_at ? -1 : 1))
  const height = 160
  const top = Math.max(...ordered.map((c) => c.revenue), 1)
  const slot = WIDTH / ordered.length
  const bar = Math.min(48, slot * 0.6)
  const bars = ordered
    .map((cycle, i) => {
      const h = Math.round((cycle.revenue / top) * (height - 50))
      const x = Math.round(i * slot + (slot - bar) / 2)
      const y = height - 24 - h
      return `<g><title>${escapeHtml(`Cycle from ${when(cycle.started_at)}: ${euros(cycle.revenue)} over ${cycle.ride_count} rides`)}</title><rect x="${x}" y="${y}" width="${Math.round(bar)}" height="${Math.max(h, 1)}" rx="3" class="bar"/><text x="${x + bar / 2}" y="${y - 5}" text-anchor="middle" class="label">${escapeHtml(euros(cycle.revenue))}</text><text x="${x + bar / 2}" y="${height - 8}" text-anchor="middle" class="axis">${escapeHtml(cycle.started_at.slice(5, 10))}</text></g>`
    })
    .join('')
  return svg(height, 'revenue-chart', 'Revenue per cycle', `${ordered.length} cycles, highest ${euros(top)}`, `<line x1="0" y1="${height - 24}" x2="${WIDTH}" y2="${height - 24}" class="baseline"/>${bars}`)
}

/** The listed rides on a time axis: one lane each, newest at the top. */
export function ridesTimeline(rides: readonly RideItem[]): string {
  if (rides.length === 0) return '<p class="empty">No ride in the current cycle.</p>'
  const starts = rides.map((r) => Date.parse(r.started_at))
  const ends = rides.map((r) => Date.parse(r.ended_at))
  const from = Math.min(...starts)
  const span = Math.max(Math.max(...ends) - from, 60_000)
  const lane = 22
  const height = rides.length * lane + 28
  const x = (t: number): number => 8 + ((t - from) / span) * (WIDTH - 16)
  const bars = rides
    .map((ride, i) => {
      const x1 = x(starts[i] as number)
      const w = Math.max(x(ends[i] as number) - x1, 3)
      return `<g><title>${escapeHtml(`${when(ride.started_at)}, ${Math.round(ride.duration_s / 60)} min, ${euros(ride.gross_amount)}`)}</title><rect x="${x1.toFixed(1)}" y="${i * lane + 4}" width="${w.toFixed(1)}" height="14" rx="3" class="bar"/></g>`
    })
    .join('')
  const axis = `<text x="8" y="${height - 6}" class="axis">${escapeHtml(when(new Date(from).toISOString()))}</text><text x="${WIDTH - 8}" y="${height - 6}" text-anchor="end" class="axis">${escapeHtml(when(new Date(from + span).toISOString()))}</text>`
  return svg(height, 'rides-timeline', 'Rides timeline', `${rides.length} rides between ${when(new Date(from).toISOString())} and ${when(new Date(from + span).toISOString())}`, bars + axis)
}

const NICE_LENGTHS = [50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000]

/**
 * Start-to-end segments of the listed rides, projected equirectangularly
 * around their centre (fine at city scale), with a scale bar in metres.
 */
export function ridesMap(rides: readonly RideItem[]): string {
  const segments = rides.filter((r): r is RideItem & { start: { lat: number; lng: number }; end: { lat: number; lng: number } } => r.start !== null && r.end !== null)
  if (segments.length === 0) return '<p class="empty">No ride with both a start and an end point to map.</p>'
  const points = segments.flatMap((r) => [r.start, r.end])
  const lat0 = (Math.min(...points.map((p) => p.lat)) + Math.max(...points.map((p) => p.lat))) / 2
  const cos = Math.cos((lat0 * Math.PI) / 180)
  const metresPerDegree = (Math.PI / 180) * EARTH_RADIUS_M
  const xs = points.map((p) => p.lng * cos * metresPerDegree)
  const ys = points.map((p) => p.lat * metresPerDegree)
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]
  const height = 240
  const pad = 20
  const extent = Math.max(maxX - minX, maxY - minY, 200)
  const scale = Math.min((WIDTH - 2 * pad) / extent, (height - 2 * pad - 20) / extent)
  const px = (lng: number): number => pad + (lng * cos * metresPerDegree - minX) * scale
  const py = (lat: number): number => height - pad - 20 - (lat * metresPerDegree - minY) * scale
  const lines = segments
    .map(
      (r) =>
        `<g><title>${escapeHtml(`Ride ${when(r.started_at)}: ${r.distance_m ?? '?'} m`)}</title><line x1="${px(r.start.lng).toFixed(1)}" y1="${py(r.start.lat).toFixed(1)}" x2="${px(r.end.lng).toFixed(1)}" y2="${py(r.end.lat).toFixed(1)}" class="ride"/><circle cx="${px(r.start.lng).toFixed(1)}" cy="${py(r.start.lat).toFixed(1)}" r="4" class="start"/><circle cx="${px(r.end.lng).toFixed(1)}" cy="${py(r.end.lat).toFixed(1)}" r="4" class="end"/></g>`,
    )
    .join('')
  const barMetres = [...NICE_LENGTHS].reverse().find((m) => m * scale <= WIDTH / 3) ?? NICE_LENGTHS[0] as number
  const barWidth = barMetres * scale
  const label = barMetres >= 1000 ? `${barMetres / 1000} km` : `${barMetres} m`
  const scaleBar = `<g class="scale"><line x1="${pad}" y1="${height - 12}" x2="${(pad + barWidth).toFixed(1)}" y2="${height - 12}"/><line x1="${pad}" y1="${height - 17}" x2="${pad}" y2="${height - 7}"/><line x1="${(pad + barWidth).toFixed(1)}" y1="${height - 17}" x2="${(pad + barWidth).toFixed(1)}" y2="${height - 7}"/><text x="${(pad + barWidth + 6).toFixed(1)}" y="${height - 8}" class="axis" data-scale-metres="${barMetres}">${label}</text></g>`
  return svg(height, 'rides-map', 'Map of the current cycle rides', `${segments.length} rides from start (filled dot) to end (ring); scale bar ${label}`, `<rect x="0" y="0" width="${WIDTH}" height="${height}" class="map-bg"/>${lines}${scaleBar}`)
}
