import type { CycleSummary, HistoryCycle, RideItem, VehicleHistoryReport, VehicleResponse } from '@vehicle-perf/core'
import { distance, duration, escapeHtml, euros, percent, shortWhen, when } from './format.js'
import { revenueChart, ridesTimeline } from './report-charts.js'
import { ridesMap, type ReportTiles } from './report-map.js'

// System fonts, no external asset of any kind: the page works offline on a phone.
const STYLE = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#4a5360;--line:#d5dae1;--accent:#0b57d0;--bg:#f6f7f9}
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:960px;margin:0 auto;padding:16px}header h1{margin:0 0 4px;font-size:1.6rem}header p{margin:0;color:var(--muted);overflow-wrap:anywhere}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px;margin:14px 0}h2{font-size:1.1rem;margin:0 0 10px}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:10px;margin:0}.figures div{border:1px solid var(--line);border-radius:8px;padding:8px}
.figures dt{font-size:.8rem;color:var(--muted)}.figures dd{margin:0;font-size:1.15rem;font-weight:600}
.status{margin:0 0 10px}.badge{display:inline-block;padding:1px 8px;border-radius:99px;background:#e3ecfb;color:#0b3d91;font-weight:600;font-size:.85rem}
table{width:100%;border-collapse:collapse;font-size:.92rem}caption{text-align:left;color:var(--muted);padding-bottom:6px}
th,td{text-align:left;padding:6px 4px;border-bottom:1px solid var(--line);vertical-align:top}td.num,th.num{text-align:right;white-space:nowrap}
.charts{display:grid;grid-template-columns:1fr;gap:14px}@media (min-width:720px){.charts{grid-template-columns:1fr 1fr}}
svg{display:block;max-width:100%;height:auto}h3.sub{font-size:.95rem;margin:4px 0 6px;color:var(--muted)}.bar{fill:var(--accent)}.label{font-size:11px;fill:var(--ink)}.axis{font-size:10px;fill:var(--muted)}
.baseline{stroke:var(--line)}.map-bg{fill:#eef1f5}.ride{stroke:var(--accent);stroke-width:2.5}.start{fill:var(--accent)}.end{fill:#fff;stroke:var(--accent);stroke-width:2}
.scale line{stroke:var(--ink);stroke-width:1.5}.empty{color:var(--muted);margin:0}footer{color:var(--muted);font-size:.85rem;padding:8px 0 24px}a{color:var(--accent)}
.grid{stroke:#eef0f3}.bar.picked{fill:#06357a}.legend-bg{fill:#fff;fill-opacity:.85}.attribution{font-size:9px;fill:#222;paint-order:stroke;stroke:#fff;stroke-width:3px}
.windows{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 10px;padding:0;list-style:none}.windows a{display:inline-block;min-width:64px;text-align:center;padding:8px 10px;border:1px solid var(--line);border-radius:8px;text-decoration:none}
.windows a[aria-current]{background:var(--accent);color:#fff;border-color:var(--accent)}tr[aria-current] td{background:#e3ecfb;font-weight:600}.pick{display:inline-block;padding:6px 0}
.chart-box svg{max-width:560px}.table-wrap{overflow-x:auto}.nowrap{white-space:nowrap}.note{color:var(--muted);font-size:.8rem;margin:6px 0 0}.map svg{max-width:560px;margin:0 auto}
@media (max-width:480px){.hide-narrow{display:none}main{padding:10px}section{padding:10px}}`

function figure(label: string, field: string, value: unknown, text: string): string {
  return `<div><dt>${escapeHtml(label)}</dt><dd data-field="${escapeHtml(field)}" data-value="${escapeHtml(JSON.stringify(value))}">${escapeHtml(text)}</dd></div>`
}

function currentCycleSection(cycle: CycleSummary | null): string {
  if (cycle === null) return '<section aria-labelledby="current-h"><h2 id="current-h">Current cycle</h2><p class="empty">This vehicle has not been deployed in the data.</p></section>'
  const status =
    cycle.ended_at === null
      ? `<span class="badge">On the street</span> since ${escapeHtml(when(cycle.started_at))}`
      : `<span class="badge">${cycle.end_reason === 'pickup' ? 'Picked up' : 'Redeployed'}</span> ${escapeHtml(when(cycle.ended_at))}, deployed ${escapeHtml(when(cycle.started_at))}`
  const c = 'current_cycle'
  return `<section aria-labelledby="current-h"><h2 id="current-h">Current cycle</h2><p class="status">${status}</p><dl class="figures">
${figure('Revenue', `${c}.revenue`, cycle.revenue, euros(cycle.revenue))}
${figure('Rides', `${c}.ride_count`, cycle.ride_count, String(cycle.ride_count))}
${figure('Utilization', `${c}.utilization`, cycle.utilization, percent(cycle.utilization))}
${figure('Revenue per street hour', `${c}.revenue_per_street_hour`, cycle.revenue_per_street_hour, euros(cycle.revenue_per_street_hour))}
${figure('Time on the street', `${c}.street_time_s`, cycle.street_time_s, duration(cycle.street_time_s))}
${figure('Time riding', `${c}.ride_time_s`, cycle.ride_time_s, duration(cycle.ride_time_s))}
${figure('Distance', `${c}.distance_m`, cycle.distance_m, distance(cycle.distance_m))}
${figure('Rides without amount', `${c}.rides_without_amount`, cycle.rides_without_amount, String(cycle.rides_without_amount))}
</dl></section>`
}

function itemRows(items: VehicleResponse['items']): string {
  return items
    .map((item, i) => {
      if (item.type === 'ride') {
        return `<tr data-item="${i}" data-type="ride"><td>Ride</td><td class="nowrap">${shortWhen(item.started_at)}</td><td class="num hide-narrow">${escapeHtml(duration(item.duration_s))}</td><td class="num" data-field="items.${i}.distance_m" data-value="${escapeHtml(JSON.stringify(item.distance_m))}">${escapeHtml(distance(item.distance_m))}</td><td class="num" data-field="items.${i}.gross_amount" data-value="${escapeHtml(JSON.stringify(item.gross_amount))}">${escapeHtml(euros(item.gross_amount))}</td></tr>`
      }
      return `<tr data-item="${i}" data-type="cycle"><td>Cycle (${item.ride_count} rides)</td><td class="nowrap">${shortWhen(item.started_at)}</td><td class="num hide-narrow">${escapeHtml(duration(item.street_time_s))}</td><td class="num" data-field="items.${i}.distance_m" data-value="${escapeHtml(JSON.stringify(item.distance_m))}">${escapeHtml(distance(item.distance_m))}</td><td class="num" data-field="items.${i}.revenue" data-value="${escapeHtml(JSON.stringify(item.revenue))}">${escapeHtml(euros(item.revenue))}</td></tr>`
    })
    .join('')
}

/** The report's choices, from its query string: a time window and a picked cycle. */
export interface ReportView {
  /** Days back from as_of, or null for the whole life. */
  windowDays: 7 | 30 | 90 | null
  /** Index of the picked cycle in `history.cycles` (oldest first); null for the latest in the window. */
  cycle: number | null
}

export const WINDOWS = [7, 30, 90, null] as const

/** Reads `?window=7|30|90|all&cycle=N`; anything else falls back to the whole life and the latest cycle. */
export function reportViewOf(query: URLSearchParams | undefined): ReportView {
  const window = query?.get('window')
  const windowDays = window === '7' ? 7 : window === '30' ? 30 : window === '90' ? 90 : null
  const raw = query?.get('cycle')
  const cycle = raw !== null && raw !== undefined && /^\d{1,6}$/.test(raw) ? Number(raw) : null
  return { windowDays, cycle }
}

const windowParam = (days: ReportView['windowDays']): string => (days === null ? 'all' : String(days))
const windowName = (days: ReportView['windowDays']): string => (days === null ? 'All' : `${days} days`)
const hrefOf = (view: ReportView): string => `?window=${windowParam(view.windowDays)}${view.cycle === null ? '' : `&cycle=${view.cycle}`}`

/** The cycles that overlap the window [as_of - days, as_of], as indexes into the whole history. */
function cyclesInWindow(history: VehicleHistoryReport, days: ReportView['windowDays']): number[] {
  const all = history.cycles.map((_, i) => i)
  if (days === null || history.as_of === null) return all
  const from = Date.parse(history.as_of) - days * 86_400_000
  return all.filter((i) => {
    const cycle = history.cycles[i] as HistoryCycle
    return cycle.ended_at === null || Date.parse(cycle.ended_at) >= from
  })
}

function historyFigure(label: string, field: string, value: unknown, text: string): string {
  return `<div><dt>${escapeHtml(label)}</dt><dd data-history="${escapeHtml(field)}" data-value="${escapeHtml(JSON.stringify(value))}">${escapeHtml(text)}</dd></div>`
}

const cyclePeriod = (cycle: CycleSummary): string =>
  cycle.ended_at === null ? `since ${cycle.started_at.slice(8, 10)}/${cycle.started_at.slice(5, 7)}` : `${cycle.started_at.slice(8, 10)}/${cycle.started_at.slice(5, 7)} – ${cycle.ended_at.slice(8, 10)}/${cycle.ended_at.slice(5, 7)}`

function historySection(history: VehicleHistoryReport, view: ReportView, shown: number[], picked: number | null): string {
  const windows = WINDOWS.map((days) => {
    const current = days === view.windowDays ? ' aria-current="page"' : ''
    return `<li><a href="${escapeHtml(hrefOf({ windowDays: days, cycle: null }))}"${current} data-window="${windowParam(days)}">${windowName(days)}</a></li>`
  }).join('')
  const cycles = shown.map((i) => history.cycles[i] as HistoryCycle)
  const revenue = Math.round(cycles.reduce((sum, c) => sum + c.revenue * 100, 0)) / 100
  const rides = cycles.reduce((sum, c) => sum + c.ride_count, 0)
  const scope = view.windowDays === null ? 'over its whole life' : `in the ${view.windowDays} days to ${when(history.as_of)}`
  const rows = [...shown]
    .reverse()
    .map((i) => {
      const cycle = history.cycles[i] as HistoryCycle
      const current = i === picked ? ' aria-current="true"' : ''
      return `<tr${current} data-cycle="${i}"><td><a class="pick" href="${escapeHtml(hrefOf({ windowDays: view.windowDays, cycle: i }))}">${escapeHtml(cyclePeriod(cycle))}</a></td><td class="num">${cycle.ride_count}</td><td class="num">${escapeHtml(euros(cycle.revenue))}</td><td class="num hide-narrow">${escapeHtml(percent(cycle.utilization))}</td></tr>`
    })
    .join('')
  return `<section aria-labelledby="history-h"><h2 id="history-h">Every cycle</h2>
<nav aria-label="Time window"><ul class="windows">${windows}</ul></nav>
<dl class="figures">${historyFigure('Cycles', 'window.cycles', cycles.length, String(cycles.length))}${historyFigure('Rides', 'window.rides', rides, String(rides))}${historyFigure('Revenue', 'window.revenue', revenue, euros(revenue))}</dl>
<p class="note">${escapeHtml(`${cycles.length} of ${history.cycles.length} deployment cycles ${scope}. Pick one below or tap its bar.`)}</p>
<div class="chart-box">${revenueChart(cycles, { picked: picked === null ? undefined : shown.indexOf(picked), href: (k) => hrefOf({ windowDays: view.windowDays, cycle: shown[k] as number }) })}</div>
${cycles.length === 0 ? '' : `<div class="table-wrap"><table><caption>Cycles, newest first: tap one to see its rides</caption><thead><tr><th scope="col">Cycle (day/month)</th><th scope="col" class="num">Rides</th><th scope="col" class="num">Revenue</th><th scope="col" class="num hide-narrow">Utilization</th></tr></thead><tbody>${rows}</tbody></table></div>`}
</section>`
}

function pickedCycleSection(cycle: HistoryCycle | null, index: number | null, tiles: ReportTiles | undefined): string {
  if (cycle === null || index === null) return ''
  const status = cycle.ended_at === null ? `on the street since ${when(cycle.started_at)}` : `${when(cycle.started_at)} to ${when(cycle.ended_at)}, ${cycle.end_reason === 'pickup' ? 'picked up' : 'redeployed'}`
  const rows = cycle.rides
    .map((ride) => `<tr><td class="nowrap">${shortWhen(ride.started_at)}</td><td class="num hide-narrow">${escapeHtml(duration(ride.duration_s))}</td><td class="num">${escapeHtml(distance(ride.distance_m))}</td><td class="num">${escapeHtml(euros(ride.gross_amount))}</td></tr>`)
    .join('')
  return `<section aria-labelledby="cycle-h" data-picked-cycle="${index}"><h2 id="cycle-h">Cycle ${escapeHtml(cyclePeriod(cycle))}</h2><p class="status">${escapeHtml(status)}</p>
<dl class="figures">${historyFigure('Revenue', 'cycle.revenue', cycle.revenue, euros(cycle.revenue))}${historyFigure('Rides', 'cycle.ride_count', cycle.ride_count, String(cycle.ride_count))}${historyFigure('Utilization', 'cycle.utilization', cycle.utilization, percent(cycle.utilization))}${historyFigure('Time on the street', 'cycle.street_time_s', cycle.street_time_s, duration(cycle.street_time_s))}${historyFigure('Distance', 'cycle.distance_m', cycle.distance_m, distance(cycle.distance_m))}</dl>
<div class="charts"><div><h3 class="sub">When its rides were</h3>${ridesTimeline(cycle.rides, { from: cycle.started_at, to: cycle.ended_at })}</div>
<div class="map"><h3 class="sub">Where they went</h3>${ridesMap(cycle.rides, tiles)}</div></div>
${cycle.rides.length === 0 ? '' : `<div class="table-wrap"><table><caption>Its ${cycle.rides.length} rides, in time order</caption><thead><tr><th scope="col">Started</th><th scope="col" class="num hide-narrow">Duration</th><th scope="col" class="num">Distance</th><th scope="col" class="num">Amount</th></tr></thead><tbody>${rows}</tbody></table></div>`}
</section>`
}

/**
 * The report a technician sees after scanning a scooter's QR code: the v1
 * response (current cycle, latest activity, lifetime: the same figures as
 * the JSON API), then every cycle of the vehicle's life in a time window,
 * and the picked cycle's rides on a timeline and a map. No script: the
 * window and the picked cycle are links, so it works on any phone.
 */
export function renderReportPage(response: VehicleResponse, history: VehicleHistoryReport, options: { json: string; view: ReportView; tiles?: ReportTiles }): string {
  const rides = response.items.filter((item): item is RideItem & { type: 'ride' } => item.type === 'ride')
  const cycles: CycleSummary[] = response.items.filter((item) => item.type === 'cycle') as CycleSummary[]
  const shown = cyclesInWindow(history, options.view.windowDays)
  const picked = options.view.cycle !== null && shown.includes(options.view.cycle) ? options.view.cycle : (shown.at(-1) ?? null)
  const name = response.qr_code ?? response.vehicle_id
  const life = response.lifetime
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Scooter ${escapeHtml(name)} · performance</title><style>${STYLE}</style></head>
<body><main>
<header><h1>Scooter <span data-field="qr_code" data-value="${escapeHtml(JSON.stringify(response.qr_code))}">${escapeHtml(response.qr_code ?? 'without QR code')}</span></h1>
<p>Vehicle <code data-field="vehicle_id" data-value="${escapeHtml(JSON.stringify(response.vehicle_id))}">${escapeHtml(response.vehicle_id)}</code> · data as of <time data-field="as_of" data-value="${escapeHtml(JSON.stringify(response.as_of))}" datetime="${escapeHtml(response.as_of ?? '')}">${escapeHtml(when(response.as_of))}</time> · times in UTC</p></header>
${currentCycleSection(response.current_cycle)}
<section aria-labelledby="life-h"><h2 id="life-h">Lifetime</h2><dl class="figures">
${figure('Cycles', 'lifetime.cycles', life.cycles, String(life.cycles))}
${figure('Rides', 'lifetime.rides', life.rides, String(life.rides))}
${figure('Revenue', 'lifetime.revenue', life.revenue, euros(life.revenue))}
${figure('Distance', 'lifetime.distance_m', life.distance_m, distance(life.distance_m))}
${figure('Rides outside any cycle', 'lifetime.orphan_rides', life.orphan_rides, String(life.orphan_rides))}
</dl></section>
${historySection(history, options.view, shown, picked)}
${pickedCycleSection(picked === null ? null : (history.cycles[picked] as HistoryCycle), picked, options.tiles)}
<section aria-labelledby="items-h"><h2 id="items-h">Latest activity (as the JSON API lists it)</h2>${
    response.items.length === 0
      ? '<p class="empty">Nothing to list yet.</p>'
      : `<div class="table-wrap"><table><caption>${rides.length > 0 ? `Rides of the current cycle (${response.policy === 'revenue' ? 'highest amount first' : 'newest first'})` : 'Cycles, newest first'}${cycles.length > 0 && rides.length > 0 ? ', then cycles' : ''}</caption><thead><tr><th scope="col">What</th><th scope="col">Started</th><th scope="col" class="num hide-narrow">Duration</th><th scope="col" class="num">Distance</th><th scope="col" class="num">Amount</th></tr></thead><tbody>${itemRows(response.items)}</tbody></table></div>`
  }</section>
<footer>vehicle-perf · <a href="${escapeHtml(options.json)}">this vehicle as JSON</a></footer>
</main></body></html>`
}

/** A human-readable error page with the right status. */
export function renderErrorPage(status: number, title: string, detail: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><section><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><p class="empty">HTTP ${status}</p></section></main></body></html>`
}
