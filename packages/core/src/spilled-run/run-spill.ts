import { randomInt } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SpillFile } from './spill-file.js'
import { VehiclePerfError } from '../errors.js'

/**
 * Key partitions per kind and vehicle partitions per run. A partition is
 * what one step of resolving holds in memory: at scale 100 (11.5M rows) a
 * key partition of rides is ~120k records, 15 MB. The key partition count is
 * also the store's key index layout (key_index.part): changing it needs a
 * schema step.
 */
export const KEY_PARTITIONS = 64
export const VEHICLE_PARTITIONS = 64

/** A store's secret key seed, made once with the store: crypto's, so nobody can guess it from the store's other values. */
export function randomKeySeed(): number {
  return randomInt(0, 2 ** 32)
}

/** A key partition's part number (kind code, then partition): spill file names, and a key index's parts. */
export function keyPartOf(kindCode: number, partition: number): number {
  return kindCode * KEY_PARTITIONS + partition
}

const SPILL_PREFIX = 'vehicle-perf-run-'

/** The temp file of a key partition (key_index.part) and of a vehicle partition. */
export const keyFile = (part: number): string => `k${part}`
export const vehicleFile = (part: number): string => `v${part}`

/**
 * Deletes the spill folders of runs whose process is gone (killed before it
 * could remove them: a large run leaves gigabytes). A folder names its
 * process id; one whose process still exists, or that belongs to someone
 * else, is left alone.
 */
export function removeOrphanedSpills(parent: string): void {
  let names: string[]
  try {
    names = readdirSync(parent)
  } catch {
    return
  }
  for (const name of names) {
    const pid = Number(/^vehicle-perf-run-(\d+)-/.exec(name)?.[1])
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processExists(pid)) continue
    try {
      rmSync(join(parent, name), { recursive: true, force: true })
    } catch {
      // Best effort: someone else's folder this process may not remove.
    }
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The temp files of one run: staged rows by key partition (kind by kind),
 * then the run's new rows by vehicle partition. Files are created when first
 * written and deleted as soon as they have been read, or with the run.
 */
export class RunSpill {
  private dir: string | null = null
  private readonly files = new Map<string, SpillFile>()
  /** The two buffers readAll reads into, and whether a reading is under way. */
  private buffers: (Buffer | null)[] = [null, null]
  private reading = false

  constructor(
    private readonly parent: string = tmpdir(),
    /** The store the run is for, named in errors. */
    private readonly store?: string,
  ) {}

  /**
   * Runs spill I/O, turning a failure (a missing or full temp folder) into a
   * store error that ends the run, not one that fails the CSV file being
   * read.
   */
  guard<T>(work: () => T): T {
    try {
      return work()
    } catch (error) {
      throw this.spillError(error)
    }
  }

  /** guard() for work that completes later. */
  private async guardAsync<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw this.spillError(error)
    }
  }

  /** An I/O error of the temp files as the store error that ends the run; any other error as it is. */
  private spillError(error: unknown): unknown {
    const code = (error as NodeJS.ErrnoException)?.code
    if (typeof code !== 'string' || !code.startsWith('E')) return error
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      return new VehiclePerfError('disk_full', `no space left for the run's temp files in ${this.dir ?? this.parent} (the tempDir option): ${(error as Error).message}`, { cause: error, store: this.store })
    }
    return new VehiclePerfError('store_unreachable', `cannot write the run's temp files in ${this.dir ?? this.parent} (the tempDir option): ${(error as Error).message}`, { cause: error, store: this.store })
  }

  file(name: string): SpillFile {
    let file = this.files.get(name)
    if (file === undefined) {
      if (this.dir === null) {
        removeOrphanedSpills(this.parent)
        this.dir = mkdtempSync(join(this.parent, `${SPILL_PREFIX}${process.pid}-`))
      }
      file = new SpillFile(join(this.dir, name))
      this.files.set(name, file)
    }
    return file
  }

  /** The length of every file, to truncate back to (a failed file's rows). */
  mark(): Map<string, number> {
    return new Map([...this.files].map(([name, file]) => [name, file.length]))
  }

  rollbackTo(mark: Map<string, number>): void {
    for (const [name, file] of this.files) file.truncate(mark.get(name) ?? 0)
  }

  /**
   * Reads these files whole, one after the other, each into one of two
   * buffers: the next file is read (on libuv's threads) while the caller
   * works on the one yielded, which stays valid until the next step. Yields
   * null for a file never written. With `remove`, each file is deleted once
   * read: a partition is read once. One reading at a time: the two buffers
   * are the spill's, grown as needed and kept for the next reading (a fresh
   * buffer per partition cost the OS a page fault per 4 KiB read, at scale
   * 100 ~640k faults; a pair per reading, 40 MB more peak RSS).
   */
  async *readAll(names: readonly string[], remove: boolean): AsyncGenerator<Buffer | null> {
    if (this.reading) throw new Error('the run reads its temp files one reading at a time')
    this.reading = true
    const { buffers } = this
    const read = async (index: number): Promise<Buffer | null> => {
      const name = names[index] as string
      const file = this.files.get(name)
      if (file === undefined) return null
      const size = this.guard(() => file.size())
      const slot = index % 2
      const held = buffers[slot] ?? null
      const buffer = held !== null && held.length >= size ? held : Buffer.allocUnsafeSlow(Math.max(size, Math.ceil((held?.length ?? 0) * 1.5)))
      buffers[slot] = buffer
      await this.guardAsync(() => file.readInto(buffer, size))
      if (remove) {
        file.remove()
        this.files.delete(name)
      }
      return buffer.subarray(0, size)
    }
    let next = names.length > 0 ? read(0) : null
    try {
      for (let index = 0; next !== null; index++) {
        const current = await next
        next = index + 1 < names.length ? read(index + 1) : null
        // Awaited in the next step; if the caller stops first, its failure must not count as unhandled.
        next?.catch(() => {})
        yield current
      }
    } finally {
      // A caller that stops early (an abort) may close the files next: not under a read still running.
      await next?.catch(() => {})
      this.reading = false
    }
  }

  remove(): void {
    for (const file of this.files.values()) file.remove()
    this.files.clear()
    this.buffers = [null, null]
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true })
    this.dir = null
  }
}
