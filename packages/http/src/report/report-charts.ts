import type { CycleSummary, RideItem } from '@vehicle-perf/core'
import { escapeHtml, euros, when } from './format.js'

// Charts as inline SVG: no script, no external asset. Every chart says on
// itself what its marks, axes and units are; hover titles only repeat it.

export const WIDTH = 320

export function svg(height: number, titleId: string, title: string, description: string, body: string): string {
  return `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${titleId} ${titleId}-desc" xmlns="http://www.w3.org/2000/svg"><title id="${titleId}">${escapeHtml(title)}</title><desc id="${titleId}-desc">${escapeHtml(description)}</desc>${body}</svg>`
}

/** 1, 2 or 5 times a power of ten, at least `value`: round tick steps. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  return ([1, 2, 5, 10].find((m) => m * power >= value) as number) * power
}

const dayMonth = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}`

/**
 * Bars of revenue, one per cycle, oldest left, on a euro axis with ticks.
 * `href(i)` links a bar to that cycle (the picker); `picked` is drawn darker.
 */
export function revenueChart(cycles: readonly CycleSummary[], options: { picked?: number; href?: (i: number) => string } = {}): string {
  if (cycles.length === 0) return '<p class="empty">No deployment cycle in this window.</p>'
  const height = 190
  const left = 44
  const bottom = 34
  const top = 26
  const max = niceCeiling(Math.max(...cycles.map((c) => c.revenue), 1))
  const plotH = height - bottom - top
  const y = (euro: number): number => top + plotH - (euro / max) * plotH
  const slot = (WIDTH - left - 4) / cycles.length
  const bar = Math.max(2, Math.min(40, slot * 0.7))
  const ticks = [0, max / 2, max]
    .map((t) => `<line x1="${left}" y1="${y(t).toFixed(1)}" x2="${WIDTH - 4}" y2="${y(t).toFixed(1)}" class="grid"/><text x="${left - 4}" y="${(y(t) + 3).toFixed(1)}" text-anchor="end" class="axis">${escapeHtml(euros(t).replace('.00', ''))}</text>`)
    .join('')
  // At most about eight date labels, so they never overlap on a phone.
  const labelEvery = Math.ceil(cycles.length / 8)
  const bars = cycles
    .map((cycle, i) => {
      const h = Math.max(1, y(0) - y(cycle.revenue))
      const x = left + i * slot + (slot - bar) / 2
      const label = i % labelEvery === 0 ? `<text x="${(x + bar / 2).toFixed(1)}" y="${height - bottom + 13}" text-anchor="middle" class="axis">${escapeHtml(dayMonth(cycle.started_at))}</text>` : ''
      const mark = `<title>${escapeHtml(`Cycle from ${when(cycle.started_at)}: ${euros(cycle.revenue)}, ${cycle.ride_count} rides`)}</title><rect x="${x.toFixed(1)}" y="${(y(0) - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" rx="2" class="${i === options.picked ? 'bar picked' : 'bar'}" data-cycle="${i}"/>`
      return (options.href === undefined ? `<g>${mark}</g>` : `<a href="${escapeHtml(options.href(i))}">${mark}</a>`) + label
    })
    .join('')
  const xTitle = `<text x="${(left + WIDTH) / 2}" y="${height - 4}" text-anchor="middle" class="axis">cycle start (day/month, UTC)</text>`
  const yTitle = `<text x="${left + 4}" y="${top - 8}" class="axis">revenue per cycle (€)</text>`
  return svg(height, 'revenue-chart', 'Revenue per cycle', `${cycles.length} cycles, oldest left; the tallest is ${euros(Math.max(...cycles.map((c) => c.revenue)))}`, ticks + `<line x1="${left}" y1="${y(0)}" x2="${WIDTH - 4}" y2="${y(0)}" class="baseline"/>` + bars + xTitle + yTitle)
}

/** "05-26 14:00" for an axis: the data is UTC. */
const axisTime = (ms: number): string => {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)} ${iso.slice(11, 16)}`
}

/**
 * Rides on a time axis, one row each in time order (earliest at the top),
 * each bar from the ride's start to its end. Very short rides get a
 * minimum width so they stay visible; the axis says the time span.
 */
export function ridesTimeline(rides: readonly RideItem[], span?: { from: string; to: string | null }): string {
  if (rides.length === 0) return '<p class="empty">No ride in this cycle.</p>'
  const starts = rides.map((r) => Date.parse(r.started_at))
  const ends = rides.map((r) => Date.parse(r.ended_at))
  const from = Math.min(span === undefined ? Infinity : Date.parse(span.from), ...starts)
  const to = Math.max(span?.to === null || span === undefined ? -Infinity : Date.parse(span.to), ...ends)
  const range = Math.max(to - from, 60_000)
  const lane = rides.length > 30 ? 8 : 16
  const top = 6
  const plot = rides.length * lane
  const height = top + plot + 40
  const left = 8
  const right = WIDTH - 8
  const x = (t: number): number => left + ((t - from) / range) * (right - left)
  const bars = rides
    .map((ride, i) => {
      const x1 = x(starts[i] as number)
      const w = Math.max(x(ends[i] as number) - x1, 2)
      return `<g><title>${escapeHtml(`${when(ride.started_at)}, ${Math.round(ride.duration_s / 60)} min, ${euros(ride.gross_amount)}`)}</title><rect x="${x1.toFixed(1)}" y="${top + i * lane + 1}" width="${w.toFixed(1)}" height="${lane - 3}" rx="2" class="bar"/></g>`
    })
    .join('')
  const axisY = top + plot + 4
  const ticks = [from, from + range / 2, from + range]
    .map((t, i) => {
      const anchor = i === 0 ? 'start' : i === 1 ? 'middle' : 'end'
      return `<line x1="${x(t).toFixed(1)}" y1="${axisY}" x2="${x(t).toFixed(1)}" y2="${axisY + 4}" class="baseline"/><text x="${x(t).toFixed(1)}" y="${axisY + 15}" text-anchor="${anchor}" class="axis">${escapeHtml(axisTime(t))}</text>`
    })
    .join('')
  const legend = `<text x="${WIDTH / 2}" y="${height - 4}" text-anchor="middle" class="axis">one row per ride, earliest at the top; bar = start to end (UTC)</text>`
  return svg(
    height,
    'rides-timeline',
    'Rides timeline',
    `${rides.length} rides between ${when(new Date(from).toISOString())} and ${when(new Date(from + range).toISOString())}`,
    `<line x1="${left}" y1="${axisY}" x2="${right}" y2="${axisY}" class="baseline"/>${bars}${ticks}${legend}`,
  )
}
