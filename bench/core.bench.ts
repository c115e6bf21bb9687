// Core throughput: parse+normalise+validate (rows/s) and fold-to-response (rides/s).
// Usage: pnpm bench:core [scale]   Targets (2 cores): >= 300k rows/s, >= 1M rides/s.
import { measure } from 'mitata'
import { foldAll, foldToViews, loadCoreWorkload, parseAll } from './lib/core-workload.ts'
import { formatRate, machineLine } from './lib/machine.ts'

const scale = Number(process.argv[2] ?? 1)
const workload = await loadCoreWorkload(scale)
console.log(`machine: ${machineLine()}`)
console.log(`data: scale ${scale}, ${workload.rowsRead} rows read, ${workload.vehicles.length} vehicles, ${workload.rides} accepted rides`)

const parse = await measure(async () => parseAll(workload), { min_samples: 10, max_samples: 30 })
const fold = await measure(() => foldAll(workload), { min_samples: 10, max_samples: 50 })
const views = await measure(() => foldToViews(workload), { min_samples: 10, max_samples: 50 })

const parseRate = workload.rowsRead / (parse.p50 / 1e9)
const foldRate = workload.rides / (fold.p50 / 1e9)
console.log(`parse+normalise+validate: median ${(parse.p50 / 1e6).toFixed(1)} ms -> ${formatRate(parseRate)} rows/s (target 300k)`)
console.log(`fold-to-response:         median ${(fold.p50 / 1e6).toFixed(1)} ms -> ${formatRate(foldRate)} rides/s (target 1M)`)
console.log(`fold-to-stored-view+JSON: median ${(views.p50 / 1e6).toFixed(1)} ms -> ${formatRate(workload.rides / (views.p50 / 1e9))} rides/s`)
