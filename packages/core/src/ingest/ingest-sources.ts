import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { glob } from 'tinyglobby'
import { kindFromFileName, type RowKind } from '../rows/kinds.js'
import type { ChunkSource } from '../csv/csv-record-parser.js'

/**
 * Where rows come from: a path (file, directory read non-recursively, or a
 * glob), a file with an explicit kind, or a stream with a name.
 */
export type IngestSource =
  | string
  | { path: string; kind?: RowKind }
  | { name: string; stream: ChunkSource; kind?: RowKind; bytes?: number }

/** A single input, ready to be opened, in processing order. */
export interface ResolvedSource {
  /** The base name: what reports, logs and ordering use. */
  name: string
  path: string | null
  kind: RowKind | null
  bytes: number | null
  open: () => ChunkSource
  /** Set when the source could not be found or read: the file fails alone. */
  problem: { code: 'unreadable'; message: string } | null
}

const GLOB_CHARS = /[*?[\]{}]/
const READ_CHUNK = 1 << 16

function fromPath(path: string, kind: RowKind | undefined, bytes: number | null, problem: ResolvedSource['problem']): ResolvedSource {
  const name = basename(path)
  return {
    name,
    path,
    kind: kind ?? kindFromFileName(name),
    bytes,
    open: () => createReadStream(path, { highWaterMark: READ_CHUNK }),
    problem,
  }
}

async function expandPath(path: string, kind: RowKind | undefined): Promise<ResolvedSource[]> {
  if (GLOB_CHARS.test(path)) {
    const matches = await glob(path, { absolute: true, onlyFiles: true, expandDirectories: false })
    if (matches.length === 0) return [fromPath(path, kind, null, { code: 'unreadable', message: `${path}: no file matches this pattern` })]
    return Promise.all(matches.map(async (match) => fromPath(match, kind, (await stat(match)).size, null)))
  }
  let info
  try {
    info = await stat(path)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message
    return [fromPath(path, kind, null, { code: 'unreadable', message: `${path}: ${reason}` })]
  }
  if (!info.isDirectory()) return [fromPath(path, kind, info.size, null)]
  // A directory: its CSV files, not its subfolders. A CSV without a known
  // prefix is listed (and fails with unknown_kind) rather than silently skipped.
  const entries = await readdir(path, { withFileTypes: true })
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.csv'))
  return Promise.all(files.map(async (entry) => fromPath(join(path, entry.name), kind, (await stat(join(path, entry.name))).size, null)))
}

function compareNames(a: ResolvedSource, b: ResolvedSource): number {
  // domain.md §1: base names compared as plain strings (rides_10 before rides_9).
  if (a.name !== b.name) return a.name < b.name ? -1 : 1
  const pathA = a.path ?? ''
  const pathB = b.path ?? ''
  return pathA < pathB ? -1 : pathA > pathB ? 1 : 0
}

/** Expands sources into single inputs ordered by base name. */
export async function resolveSources(sources: readonly IngestSource[]): Promise<ResolvedSource[]> {
  const resolved: ResolvedSource[] = []
  for (const source of sources) {
    if (typeof source === 'string') resolved.push(...(await expandPath(resolve(source), undefined)))
    else if ('path' in source) resolved.push(...(await expandPath(resolve(source.path), source.kind)))
    else {
      const stream = source.stream
      resolved.push({
        name: source.name,
        path: null,
        kind: source.kind ?? kindFromFileName(source.name),
        bytes: source.bytes ?? null,
        open: () => stream,
        problem: null,
      })
    }
  }
  return resolved.sort(compareNames)
}
