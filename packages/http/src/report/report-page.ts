import type { CycleSummary, RideItem, VehicleResponse } from '@vehicle-perf/core'
import { distance, duration, escapeHtml, euros, percent, shortWhen, when } from './format.js'
import { revenueChart, ridesMap, ridesTimeline } from './report-charts.js'

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
svg{display:block;max-width:100%;height:auto}.bar{fill:var(--accent)}.label{font-size:11px;fill:var(--ink)}.axis{font-size:10px;fill:var(--muted)}
.baseline{stroke:var(--line)}.map-bg{fill:#eef1f5}.ride{stroke:var(--accent);stroke-width:2.5}.start{fill:var(--accent)}.end{fill:#fff;stroke:var(--accent);stroke-width:2}
.scale line{stroke:var(--ink);stroke-width:1.5}.empty{color:var(--muted);margin:0}footer{color:var(--muted);font-size:.85rem;padding:8px 0 24px}a{color:var(--accent)}
.table-wrap{overflow-x:auto}.nowrap{white-space:nowrap}.note{color:var(--muted);font-size:.8rem;margin:6px 0 0}.map svg{max-width:560px;margin:0 auto}
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

/**
 * The report a technician sees after scanning a scooter's QR code. Built
 * only from the v1 response, so it can never disagree with the JSON API.
 */
export function renderReportPage(response: VehicleResponse, links: { json: string }): string {
  const rides = response.items.filter((item): item is RideItem & { type: 'ride' } => item.type === 'ride')
  const cycles: CycleSummary[] = response.items.filter((item) => item.type === 'cycle') as CycleSummary[]
  const chartCycles = cycles.length > 0 ? cycles : response.current_cycle === null ? [] : [response.current_cycle]
  const name = response.qr_code ?? response.vehicle_id
  const life = response.lifetime
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Scooter ${escapeHtml(name)} · performance</title><style>${STYLE}</style></head>
<body><main>
<header><h1>Scooter <span data-field="qr_code" data-value="${escapeHtml(JSON.stringify(response.qr_code))}">${escapeHtml(response.qr_code ?? 'without QR code')}</span></h1>
<p>Vehicle <code data-field="vehicle_id" data-value="${escapeHtml(JSON.stringify(response.vehicle_id))}">${escapeHtml(response.vehicle_id)}</code> · data as of <time data-field="as_of" data-value="${escapeHtml(JSON.stringify(response.as_of))}" datetime="${escapeHtml(response.as_of ?? '')}">${escapeHtml(when(response.as_of))}</time></p></header>
${currentCycleSection(response.current_cycle)}
<section aria-labelledby="items-h"><h2 id="items-h">Latest activity</h2>${
    response.items.length === 0
      ? '<p class="empty">Nothing to list yet.</p>'
      : `<div class="table-wrap"><table><caption>${rides.length > 0 ? `Rides of the current cycle (${response.policy === 'revenue' ? 'highest amount first' : 'newest first'})` : 'Cycles, newest first'}${cycles.length > 0 && rides.length > 0 ? ', then cycles' : ''}</caption><thead><tr><th scope="col">What</th><th scope="col">Started</th><th scope="col" class="num hide-narrow">Duration</th><th scope="col" class="num">Distance</th><th scope="col" class="num">Amount</th></tr></thead><tbody>${itemRows(response.items)}</tbody></table></div><p class="note">Times are UTC.</p>`
  }</section>
<div class="charts">
<section aria-labelledby="revenue-h"><h2 id="revenue-h">Revenue per cycle</h2>${revenueChart(chartCycles)}</section>
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Rides timeline</h2>${ridesTimeline(rides)}</section>
</div>
<section class="map" aria-labelledby="map-h"><h2 id="map-h">Where the current cycle's rides went</h2>${ridesMap(rides)}</section>
<section aria-labelledby="life-h"><h2 id="life-h">Lifetime</h2><dl class="figures">
${figure('Cycles', 'lifetime.cycles', life.cycles, String(life.cycles))}
${figure('Rides', 'lifetime.rides', life.rides, String(life.rides))}
${figure('Revenue', 'lifetime.revenue', life.revenue, euros(life.revenue))}
${figure('Distance', 'lifetime.distance_m', life.distance_m, distance(life.distance_m))}
${figure('Rides outside any cycle', 'lifetime.orphan_rides', life.orphan_rides, String(life.orphan_rides))}
</dl></section>
<footer>vehicle-perf · <a href="${escapeHtml(links.json)}">this vehicle as JSON</a></footer>
</main></body></html>`
}

/** A human-readable error page with the right status. */
export function renderErrorPage(status: number, title: string, detail: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><section><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><p class="empty">HTTP ${status}</p></section></main></body></html>`
}
