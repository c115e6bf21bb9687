import { createHash, randomUUID, type Hash } from 'node:crypto'
import { VehiclePerfError, asVehiclePerfError, isFileError, type FileErrorCode } from '../errors.js'
import { readOperationRows, DEFAULT_BATCH_SIZE, type CsvHeader, type ParsedBatch } from '../csv/read-operation-rows.js'
import { classifyDuplicateRow } from '../rows/deduplicate.js'
import type { RowKind } from '../rows/kinds.js'
import { withoutSeq } from '../rows/row-types.js'
import type { SelectionPolicy } from '../response/response-schema.js'
import { packVehicles, renderHistories, renderPackedVehicles, type RenderedChunk } from '../response/render-vehicles.js'
import type { VehicleHistory } from '../response/vehicle-events.js'
import type { PackedVehicles } from '../rows/packed-rows.js'
import { formatTimestamp } from '../values/timestamp.js'
import type {
  DuplicateRecord,
  RefreshSession,
  RejectRecord,
  SettleStep,
  StagedDuplicate,
  StagingSession,
  StorageAdapter,
  StoreMeta,
} from '../storage/storage-contract.js'
import { emptyRejectCounts, totalsOf, type FileReport, type IngestReport } from './ingest-report.js'
import { resolveSources, type IngestSource, type ResolvedSource } from './ingest-sources.js'
import { ParseWorker } from './parse-worker-client.js'
import { RenderWorker } from './render-worker-client.js'

export interface IngestProgress {
  /**
   * read: files are read and staged; store: the run's keys are resolved and
   * new rows stored; refresh: views re-rendered; commit: the run is made
   * durable (a large run writes gigabytes here).
   */
  phase: 'read' | 'store' | 'refresh' | 'commit'
  /** The file being read (read phase). */
  source?: string
  fileIndex: number
  fileCount: number
  /** Bytes read so far over all files, and their known total (null when a stream has no size). */
  bytesRead: number
  bytesTotal: number | null
  rowsRead: number
  /** Store phase: the step about to run (null before it starts). */
  storeStep: SettleStep | null
  /** Refresh phase: vehicles re-rendered so far, of how many (null until known). */
  vehiclesRefreshed: number
  vehiclesToRefresh: number | null
}

export interface IngestOptions {
  adapter: StorageAdapter
  sources: IngestSource | readonly IngestSource[]
  /** How the stored responses pick their rides (domain.md §8). Default `recent`. */
  policy?: SelectionPolicy
  /** Records per write; memory is bounded by it. Default 500: larger batches outlive more young-generation collections (at 5000 the read phase spent ~25% more CPU, mostly in GC). */
  batchSize?: number
  /** Skip (and report as skipped) a file whose sha256 a successful run already ingested. Default false: every row is logged as a duplicate instead. */
  skipKnownFiles?: boolean
  /**
   * Parse, normalise and validate files in a worker thread while this thread
   * stages the previous batches. `auto` (the default) uses one when the
   * run's files total at least 4 MiB; streams are always parsed on this
   * thread. Falls back to this thread when the worker cannot start (a bundle
   * that left out core's dist/parse-worker.js).
   */
  parseWorker?: boolean | 'auto'
  /**
   * Render views in a worker thread while this thread stores the next
   * vehicles: the refresh's two halves on two cores. `auto` (the default)
   * uses one when at least 2,000 vehicles are refreshed. Falls back to this
   * thread when the worker cannot start (a bundle that left out core's
   * dist/render-worker.js).
   */
  renderWorker?: boolean | 'auto'
  /**
   * Use the store's packed-rows path for the refresh when it declares one
   * (StorageCapabilities.packedRows). Default true; false takes the plain
   * path, as for a store without it (the conformance suite checks both).
   */
  packedRows?: boolean
  onProgress?: (progress: IngestProgress) => void
  /** Aborting stops at the next batch and leaves the store as it was before the run. */
  signal?: AbortSignal
}

const REFRESH_CHUNK = 500
/** Below these a worker's start (~40 ms) costs more than it saves. */
const PARSE_WORKER_MIN_BYTES = 4 << 20
const RENDER_WORKER_MIN_VEHICLES = 2000
/** Chunks rendering while the next is stored: enough to keep both threads busy, memory bounded by the chunk size. */
const RENDER_AHEAD = 2
const DUPLICATES_CHUNK = 500

/**
 * Opens the source when first read (never, for a skipped file), counting
 * bytes and hashing them. A read error (I/O, permissions) becomes
 * `unreadable`: it fails this file alone.
 */
async function* measured(source: ResolvedSource, hash: Hash, onBytes: (bytes: number) => void): AsyncGenerator<Uint8Array | string> {
  try {
    for await (const chunk of source.open()) {
      hash.update(chunk)
      onBytes(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength)
      yield chunk
    }
  } catch (error) {
    throw new VehiclePerfError('unreadable', `${source.name}: ${(error as Error)?.message ?? String(error)}`, { cause: error })
  }
}

async function drain(chunks: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of chunks) {
    // Read to the end so a failed file still reports its size and sha256.
  }
}

async function digestOf(source: ResolvedSource): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of source.open()) {
    hash.update(chunk)
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
  }
  return { sha256: hash.digest('hex'), bytes }
}

interface RunState {
  session: StagingSession
  /** The seq the next staged row gets. */
  nextSeq: number
  /** Parses files off this thread (closed after the last file); null: parse here. */
  parser: ParseWorker | null
  asOf: number | null
  progress: IngestProgress
  options: IngestOptions
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new VehiclePerfError('ingest_aborted', 'ingest aborted: the store is left as it was before the run', { cause: signal.reason })
}

/**
 * Stages one batch of a file: valid rows go to the store's staging area
 * (keys are resolved once, after the last file), rejects are logged now.
 * `accepted` counts staged rows until the run's duplicates are known.
 */
async function stageBatch(state: RunState, kind: RowKind, source: string, fileIndex: number, batch: ParsedBatch, report: FileReport): Promise<void> {
  if (batch.rows.length > 0) {
    await state.session.stageRows({ kind, file: fileIndex, firstSeq: state.nextSeq, rows: batch.rows })
    state.nextSeq += batch.rows.length
  }
  if (batch.rejects.length > 0) {
    const rejects: RejectRecord[] = batch.rejects.map((reject) => ({ source, line: reject.line, kind, fields: reject.fields, truncated: reject.truncated, reasons: reject.reasons }))
    await state.session.logRejects(rejects)
  }
  report.rows_read = (report.rows_read ?? 0) + batch.rowsRead
  report.accepted = (report.accepted ?? 0) + batch.rows.length
  const rejected = (report.rejected ??= emptyRejectCounts())
  for (const reject of batch.rejects) {
    rejected.rows++
    if (reject.truncated) rejected.fields_truncated = (rejected.fields_truncated ?? 0) + 1
    for (const reason of reject.reasons) rejected.reasons[reason] = (rejected.reasons[reason] ?? 0) + 1
  }
}

/**
 * Settles the run's keys: the store keeps the first version of every key
 * (stored before, or first read); every other row is a duplicate of it,
 * classified here, logged by the store, and taken off its file's accepted
 * count.
 */
async function settleKeys(state: RunState, files: readonly FileReport[], everyVehicle: boolean): Promise<RefreshSession> {
  state.progress.phase = 'store'
  state.options.onProgress?.({ ...state.progress })
  const classify = (chunk: readonly StagedDuplicate[]): DuplicateRecord[] => {
    throwIfAborted(state.options.signal)
    return chunk.map((d) => {
      const file = files[d.file] as FileReport
      const kept = withoutSeq(d.kept)
      const incoming = withoutSeq(d.incoming)
      const classification = classifyDuplicateRow(kept, incoming)
      const counts = (file.duplicates ??= { exact: 0, conflict: 0 })
      counts[classification]++
      file.accepted = (file.accepted ?? 0) - 1
      return { kind: d.kind, key: d.key, source: file.source, line: d.line, classification, kept, incoming }
    })
  }
  return state.session.settleKeys({
    chunkSize: DUPLICATES_CHUNK,
    everyVehicle,
    onDuplicates: classify,
    onStep: (step) => {
      state.progress.storeStep = { ...step }
      state.options.onProgress?.({ ...state.progress })
    },
  })
}

async function ingestFile(state: RunState, source: ResolvedSource, fileIndex: number): Promise<FileReport> {
  const started = performance.now()
  const file: FileReport = { source: source.name, kind: source.kind, bytes: source.bytes, sha256: null, duration_ms: 0, error: null }
  const { session, progress, options } = state
  progress.source = source.name
  progress.fileIndex = fileIndex
  options.onProgress?.({ ...progress })
  const hash = createHash('sha256')
  let bytes = 0
  const chunks = source.problem === null ? measured(source, hash, (n) => {
    bytes += n
    progress.bytesRead += n
  }) : null

  await session.beginFile()
  try {
    if (source.problem !== null || chunks === null) throw new VehiclePerfError(source.problem?.code ?? 'unreadable', source.problem?.message ?? source.name)
    if (source.kind === null) {
      await drain(chunks)
      throw new VehiclePerfError('unknown_kind', `${source.name}: cannot tell the kind from the file name (expected a deployments*, pickups* or rides* prefix); give the kind explicitly`)
    }
    if (options.skipKnownFiles && source.path !== null) {
      const { sha256 } = await digestOf(source)
      if (await session.fileAlreadyIngested(sha256)) {
        await session.commitFile()
        progress.bytesRead += source.bytes ?? 0
        return { ...file, sha256, skipped: true, rows_read: 0, accepted: 0, duplicates: { exact: 0, conflict: 0 }, rejected: emptyRejectCounts(), duration_ms: Math.round(performance.now() - started) }
      }
    }
    const readOptions = {
      sourceName: source.name,
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      onHeader: (header: CsvHeader) => {
        if (header.unknownColumns.length > 0) file.unknown_columns = header.unknownColumns
      },
    }
    const rows = state.parser !== null && source.path !== null ? state.parser.read(chunks, source.kind, readOptions) : readOperationRows(chunks, source.kind, readOptions)
    try {
      for await (const batch of rows) {
        throwIfAborted(options.signal)
        await stageBatch(state, source.kind, source.name, fileIndex, batch, file)
        progress.rowsRead += batch.rowsRead
        options.onProgress?.({ ...progress })
      }
    } catch (error) {
      // Read on, so that a failed file still reports its size and sha256.
      if (isFileError(error) && error.code === 'missing_column') await drain(chunks)
      throw error
    }
    await session.commitFile()
    file.rows_read ??= 0
    file.accepted ??= 0
    file.duplicates ??= { exact: 0, conflict: 0 }
    file.rejected ??= emptyRejectCounts()
  } catch (error) {
    await session.rollbackFile()
    // Any other error (a store's, an abort, a bug) ends the run.
    if (!isFileError(error)) throw error
    if (error.code === 'missing_column' && source.path !== null) {
      // The CSV reader stopped at the header and closed the stream: the
      // size and sha256 of a failed file are of the whole file (domain.md §4).
      const whole = await digestOf(source)
      return { ...failedFile(file, error.code, error.message, whole.bytes, hash, started), sha256: whole.sha256 }
    }
    return failedFile(file, error.code, error.message, bytes, hash, started)
  }
  file.bytes = bytes
  file.sha256 = hash.digest('hex')
  file.duration_ms = Math.round(performance.now() - started)
  return file
}

function failedFile(file: FileReport, code: FileErrorCode, message: string, bytes: number, hash: Hash, started: number): FileReport {
  const readable = code !== 'unreadable'
  return {
    source: file.source,
    kind: file.kind,
    bytes: readable ? bytes : file.bytes,
    sha256: readable ? hash.digest('hex') : null,
    duration_ms: Math.round(performance.now() - started),
    error: { code, message },
  }
}

/**
 * Re-renders the views of every vehicle the run touched, in one ordered pass.
 * Every row the run accepted belongs to a touched vehicle, so the latest
 * timestamp seen here, or the store's previous as_of, is the new as_of. With
 * a render worker, chunk n is rendered there while this thread has the store
 * read chunk n + 1 and then write chunk n's views.
 */
async function refreshViews(state: RunState, refresh: RefreshSession, policy: SelectionPolicy): Promise<number> {
  let refreshed = 0
  state.progress.phase = 'refresh'
  const total = refresh.vehicleCount
  state.progress.vehiclesToRefresh = total
  state.options.onProgress?.({ ...state.progress })
  const mode = state.options.renderWorker ?? 'auto'
  const worker = mode === true || (mode === 'auto' && total >= RENDER_WORKER_MIN_VEHICLES) ? await RenderWorker.start() : null
  const render = (chunk: PackedVehicles | readonly VehicleHistory[]): Promise<RenderedChunk> => {
    const packed = 'records' in chunk
    if (worker !== null) return worker.render(packed ? chunk : packVehicles(chunk), policy)
    return Promise.resolve(packed ? renderPackedVehicles(chunk, policy) : renderHistories(chunk, policy))
  }
  const usePacked = state.options.adapter.capabilities.packedRows && state.options.packedRows !== false && refresh.packedVehicles !== undefined
  const chunks = usePacked ? (refresh.packedVehicles as NonNullable<RefreshSession['packedVehicles']>).call(refresh, REFRESH_CHUNK) : refresh.vehicles(REFRESH_CHUNK)
  const rendering: Promise<RenderedChunk>[] = []
  const save = async (rendered: RenderedChunk): Promise<void> => {
    if (rendered.latest !== null && (state.asOf === null || rendered.latest > state.asOf)) state.asOf = rendered.latest
    await refresh.saveViews(rendered.views)
    refreshed += rendered.views.length
    state.progress.vehiclesRefreshed = refreshed
    state.options.onProgress?.({ ...state.progress })
  }
  try {
    for await (const chunk of chunks) {
      throwIfAborted(state.options.signal)
      const rendered = render(chunk)
      // Awaited below, in order; a failure meanwhile must not count as unhandled.
      rendered.catch(() => {})
      rendering.push(rendered)
      if (rendering.length >= RENDER_AHEAD) await save(await (rendering.shift() as Promise<RenderedChunk>))
    }
    for (const rendered of rendering.splice(0)) {
      throwIfAborted(state.options.signal)
      await save(await rendered)
    }
  } finally {
    await worker?.close()
  }
  return refreshed
}

/**
 * Ingests CSV sources into a store: validates every row, keeps rejects with
 * their reasons, logs every duplicate, and refreshes the stored responses of
 * the vehicles it touched, all in one transaction. For every file and the
 * run, rows_read = accepted + duplicates + rejected. A file that fails (missing
 * column, unknown kind, unreadable) fails alone; an abort or a store error
 * rolls the whole run back, records it as failed and rethrows.
 */
export async function ingest(options: IngestOptions): Promise<IngestReport> {
  throwIfAborted(options.signal)
  const sources = await resolveSources(Array.isArray(options.sources) ? options.sources : [options.sources as IngestSource])
  const fileBytes = sources.reduce((sum, source) => sum + (source.path !== null ? (source.bytes ?? 0) : 0), 0)
  const mode = options.parseWorker ?? 'auto'
  const parser = mode === true || (mode === 'auto' && fileBytes >= PARSE_WORKER_MIN_BYTES) ? await ParseWorker.start() : null
  try {
    return await runIngest(options, sources, parser)
  } finally {
    await parser?.close()
  }
}

async function runIngest(options: IngestOptions, sources: readonly ResolvedSource[], parser: ParseWorker | null): Promise<IngestReport> {
  const { adapter } = options
  const policy = options.policy ?? 'recent'
  const session = await adapter.beginIngest({ runId: randomUUID(), startedAt: new Date() })
  const before = await session.meta()
  const knownTotal = sources.every((source) => source.bytes !== null)
  const state: RunState = {
    session,
    nextSeq: before.nextSeq,
    parser,
    asOf: before.asOf,
    options,
    progress: {
      phase: 'read',
      fileIndex: 0,
      fileCount: sources.length,
      bytesRead: 0,
      bytesTotal: knownTotal ? sources.reduce((sum, source) => sum + (source.bytes ?? 0), 0) : null,
      rowsRead: 0,
      storeStep: null,
      vehiclesRefreshed: 0,
      vehiclesToRefresh: null,
    },
  }
  const report: IngestReport = {
    run_id: session.runId,
    status: 'succeeded',
    started_at: session.startedAt.toISOString(),
    finished_at: null,
    as_of: before.asOf === null ? null : formatTimestamp(before.asOf),
    policy,
    files: [],
    totals: totalsOf([]),
    vehicles_refreshed: 0,
    data_version: before.dataVersion,
  }
  // The phase the run is in: what rolls it back.
  let phase: StagingSession | RefreshSession = session
  try {
    for (const [index, source] of sources.entries()) report.files.push(await ingestFile(state, source, index))
    // Its heap and buffers are not needed any more; the refresh has its own worker.
    await state.parser?.close()
    state.parser = null
    const refresh = await settleKeys(state, report.files, policy !== before.policy)
    phase = refresh
    report.totals = totalsOf(report.files)
    report.vehicles_refreshed = await refreshViews(state, refresh, policy)
    const changed = report.totals.accepted > 0 || policy !== before.policy
    const meta: StoreMeta = { asOf: state.asOf, dataVersion: before.dataVersion + (changed ? 1 : 0), policy, nextSeq: state.nextSeq }
    report.as_of = meta.asOf === null ? null : formatTimestamp(meta.asOf)
    report.data_version = meta.dataVersion
    report.finished_at = new Date().toISOString()
    state.progress.phase = 'commit'
    options.onProgress?.({ ...state.progress })
    await refresh.commit(report, meta)
    return report
  } catch (thrown) {
    const error = asVehiclePerfError(thrown)
    report.status = 'failed'
    report.totals = totalsOf(report.files)
    report.finished_at = new Date().toISOString()
    report.error = { code: error.code, message: error.message }
    try {
      await phase.rollback(report)
    } catch (rollbackError) {
      const failed = asVehiclePerfError(rollbackError)
      const both = new VehiclePerfError(failed.code, `${error.message}; rolling the run back failed too: ${failed.message}`, { cause: error, store: failed.store })
      both.report = report
      throw both
    }
    error.report = report
    throw error
  }
}
