import { EARTH_RADIUS_M, type RideItem } from '@vehicle-perf/core'
import { escapeHtml, when } from './format.js'
import { svg, WIDTH } from './report-charts.js'

/**
 * A slippy-map tile server and the attribution it requires. `url` is an
 * OSM-style template: `{z}`, `{x}` and `{y}`, and optionally `{s}` for the
 * server's a/b/c subdomains (as Leaflet spells them).
 */
export interface ReportTiles {
  url: string
  attribution: string
}

const SUBDOMAINS = ['a', 'b', 'c'] as const

/** One tile's address; `{s}` picks a subdomain by tile, so a page spreads its requests and a tile keeps one address (cacheable). */
export function tileUrl(template: string, z: number, x: number, y: number): string {
  return template
    .replaceAll('{s}', SUBDOMAINS[(x + y) % SUBDOMAINS.length] as string)
    .replaceAll('{z}', String(z))
    .replaceAll('{x}', String(x))
    .replaceAll('{y}', String(y))
}

/** The origins a template's tiles come from: the only ones the page's CSP lets it load images from. Throws on a template that is not a URL. */
export function tileOrigins(template: string): string[] {
  const hosts = template.includes('{s}') ? SUBDOMAINS.map((s) => template.replaceAll('{s}', s)) : [template]
  return [...new Set(hosts.map((host) => new URL(tileUrl(host, 0, 0, 0)).origin))]
}

type MappedRide = RideItem & { start: { lat: number; lng: number }; end: { lat: number; lng: number } }

const HEIGHT = 260
const PAD = 18
const NICE_LENGTHS = [20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000]

/** Web Mercator: world pixels at zoom 0 (a 256-pixel world). */
function mercator(point: { lat: number; lng: number }): { x: number; y: number } {
  const sin = Math.sin((point.lat * Math.PI) / 180)
  return { x: ((point.lng + 180) / 360) * 256, y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * 256 }
}

function scaleBar(metresPerUnit: number, x: number, y: number): string {
  const metres = [...NICE_LENGTHS].reverse().find((m) => m / metresPerUnit <= WIDTH / 3) ?? (NICE_LENGTHS[0] as number)
  const w = metres / metresPerUnit
  const label = metres >= 1000 ? `${metres / 1000} km` : `${metres} m`
  return `<g class="scale"><rect x="${x - 4}" y="${y - 14}" width="${(w + 52).toFixed(1)}" height="20" rx="3" class="legend-bg"/><line x1="${x}" y1="${y}" x2="${(x + w).toFixed(1)}" y2="${y}"/><line x1="${x}" y1="${y - 5}" x2="${x}" y2="${y + 5}"/><line x1="${(x + w).toFixed(1)}" y1="${y - 5}" x2="${(x + w).toFixed(1)}" y2="${y + 5}"/><text x="${(x + w + 6).toFixed(1)}" y="${y + 4}" class="axis" data-scale-metres="${metres}">${label}</text></g>`
}

/** What the marks mean, drawn on the map itself. */
function legend(x: number, y: number): string {
  return `<g class="legend"><rect x="${x}" y="${y}" width="142" height="36" rx="3" class="legend-bg"/><circle cx="${x + 10}" cy="${y + 10}" r="4" class="start"/><text x="${x + 19}" y="${y + 14}" class="axis">ride start</text><circle cx="${x + 78}" cy="${y + 10}" r="4" class="end"/><text x="${x + 87}" y="${y + 14}" class="axis">ride end</text><line x1="${x + 5}" y1="${y + 26}" x2="${x + 17}" y2="${y + 26}" class="ride"/><text x="${x + 21}" y="${y + 30}" class="axis">straight line, not the route</text></g>`
}

/**
 * The rides from start to end, projected with Web Mercator around their
 * bounding box, with a legend and a scale bar; over map tiles when the
 * server was given a tile URL (their attribution on the map).
 */
export function ridesMap(rides: readonly RideItem[], tiles?: ReportTiles): string {
  const mapped = rides.filter((r): r is MappedRide => r.start !== null && r.end !== null)
  if (mapped.length === 0) return '<p class="empty">No ride in this cycle has both a start and an end point to map.</p>'
  const world = mapped.flatMap((r) => [mercator(r.start), mercator(r.end)])
  const [minX, maxX] = [Math.min(...world.map((p) => p.x)), Math.max(...world.map((p) => p.x))]
  const [minY, maxY] = [Math.min(...world.map((p) => p.y)), Math.max(...world.map((p) => p.y))]
  const roomX = WIDTH - 2 * PAD
  const roomY = HEIGHT - 2 * PAD - 40
  // The largest zoom that fits the rides (whole levels with tiles, so tiles are drawn at their size).
  const fit = Math.log2(Math.min(roomX / Math.max(maxX - minX, 1e-9), roomY / Math.max(maxY - minY, 1e-9)))
  const zoom = Math.max(0, Math.min(18, tiles === undefined ? fit : Math.floor(fit)))
  const scale = 2 ** zoom
  const cx = ((minX + maxX) / 2) * scale
  const cy = ((minY + maxY) / 2) * scale
  const ox = cx - WIDTH / 2
  const oy = cy - (HEIGHT - 40) / 2
  const px = (p: { lat: number; lng: number }): [string, string] => {
    const m = mercator(p)
    return [(m.x * scale - ox).toFixed(1), (m.y * scale - oy).toFixed(1)]
  }
  let background = `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" class="map-bg"/>`
  if (tiles !== undefined) {
    const z = Math.round(zoom)
    const count = 2 ** z
    const images: string[] = []
    for (let tx = Math.floor(ox / 256); tx <= Math.floor((ox + WIDTH) / 256); tx++) {
      for (let ty = Math.max(0, Math.floor(oy / 256)); ty <= Math.min(count - 1, Math.floor((oy + HEIGHT) / 256)); ty++) {
        const wrapped = ((tx % count) + count) % count
        const href = tileUrl(tiles.url, z, wrapped, ty)
        images.push(`<image href="${escapeHtml(href)}" x="${(tx * 256 - ox).toFixed(1)}" y="${(ty * 256 - oy).toFixed(1)}" width="256" height="256"/>`)
      }
    }
    background += images.join('')
  }
  const lines = mapped
    .map((r) => {
      const [x1, y1] = px(r.start)
      const [x2, y2] = px(r.end)
      return `<g><title>${escapeHtml(`Ride ${when(r.started_at)}: ${r.distance_m ?? '?'} m`)}</title><line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" class="ride"/><circle cx="${x1}" cy="${y1}" r="4" class="start"/><circle cx="${x2}" cy="${y2}" r="4" class="end"/></g>`
    })
    .join('')
  const lat = (mapped[0] as MappedRide).start.lat
  const metresPerUnit = (Math.cos((lat * Math.PI) / 180) * 2 * Math.PI * EARTH_RADIUS_M) / (256 * scale)
  const attribution = tiles === undefined ? '' : `<text x="${WIDTH - 4}" y="${HEIGHT - 4}" text-anchor="end" class="attribution">${escapeHtml(tiles.attribution)}</text>`
  const label = tiles === undefined ? 'no map tiles configured: ride lines on their own' : 'over map tiles'
  return svg(
    HEIGHT,
    'rides-map',
    'Map of the cycle rides',
    `${mapped.length} rides, each a straight line from its start (filled dot) to its end (ring); ${label}`,
    `${background}${lines}${legend(6, 6)}${scaleBar(metresPerUnit, 14, HEIGHT - 24)}${attribution}`,
  )
}
