import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildVehicleResponse,
  buildVehicleView,
  generate,
  groupRowsByVehicle,
  kindFromFileName,
  readOperationRows,
  type OperationRow,
  type RowKind,
  type VehicleEvents,
} from '@vehicle-perf/core'
import { firstOfEveryKey } from '@vehicle-perf/core/testing'

export interface CoreWorkload {
  files: { kind: RowKind; chunks: string[] }[]
  rowsRead: number
  vehicles: VehicleEvents[]
  rides: number
}

const CHUNK = 1 << 16

/** Generated data held in memory, so the benchmark measures parsing, not the disk. */
export async function loadCoreWorkload(scale: number): Promise<CoreWorkload> {
  const dir = mkdtempSync(join(tmpdir(), 'vp-bench-core-'))
  try {
    const generated = generate({ outDir: dir, scale, seed: 7 })
    const files = generated.files.map((name) => {
      const text = readFileSync(join(dir, name), 'utf8')
      const chunks: string[] = []
      for (let i = 0; i < text.length; i += CHUNK) chunks.push(text.slice(i, i + CHUNK))
      return { kind: kindFromFileName(name) as RowKind, chunks }
    })
    const read: OperationRow[] = []
    let rowsRead = 0
    for (const file of files) {
      for await (const batch of readOperationRows(file.chunks, file.kind)) {
        rowsRead += batch.rowsRead
        for (const { row } of batch.rows) read.push(row)
      }
    }
    const vehicles = [...groupRowsByVehicle(firstOfEveryKey(read)).values()]
    return { files, rowsRead, vehicles, rides: vehicles.reduce((n, v) => n + v.rides.length, 0) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** parse + normalise + validate every file; returns the records read. */
export async function parseAll(workload: CoreWorkload): Promise<number> {
  let read = 0
  for (const file of workload.files) for await (const batch of readOperationRows(file.chunks, file.kind)) read += batch.rowsRead
  return read
}

const AS_OF = Date.parse('2019-06-01T00:00:00Z')

/** Fold every vehicle to its v1 response object (cycles, metrics, selection). */
export function foldAll(workload: CoreWorkload): number {
  let items = 0
  for (const vehicle of workload.vehicles) items += buildVehicleResponse(vehicle, { asOf: AS_OF }).items.length
  return items
}

/** Fold every vehicle to the stored view: the response as JSON bytes, plus its hash. */
export function foldToViews(workload: CoreWorkload): number {
  let bytes = 0
  for (const vehicle of workload.vehicles) bytes += buildVehicleView(vehicle).template.length
  return bytes
}
