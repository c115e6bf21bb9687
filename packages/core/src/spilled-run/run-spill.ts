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
  /** The buffer every take and peek reads into (grown as needed). */
  private readBuffer: Buffer | null = null

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
      const code = (error as NodeJS.ErrnoException)?.code
      if (typeof code !== 'string' || !code.startsWith('E')) throw error
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new VehiclePerfError('disk_full', `no space left for the run's temp files in ${this.dir ?? this.parent} (the tempDir option): ${(error as Error).message}`, { cause: error, store: this.store })
      }
      throw new VehiclePerfError('store_unreachable', `cannot write the run's temp files in ${this.dir ?? this.parent} (the tempDir option): ${(error as Error).message}`, { cause: error, store: this.store })
    }
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
   * Reads a file whole and deletes it: each partition is read once. The
   * bytes live in one buffer reused by every read: valid until the next
   * take or peek (callers decode what they keep).
   */
  take(name: string): Buffer | null {
    const bytes = this.peek(name)
    if (bytes === null) return null
    this.files.get(name)?.remove()
    this.files.delete(name)
    return bytes
  }

  /**
   * Reads a file whole without deleting it, into the buffer every read
   * reuses (grown as needed, never from Node's shared pool): a fresh buffer
   * per partition cost the OS a page fault per 4 KiB read (at scale 100,
   * ~640k faults).
   */
  peek(name: string): Buffer | null {
    const file = this.files.get(name)
    if (file === undefined) return null
    const size = file.size()
    if (this.readBuffer === null || this.readBuffer.length < size) {
      this.readBuffer = Buffer.allocUnsafeSlow(Math.max(size, Math.ceil((this.readBuffer?.length ?? 0) * 1.5)))
    }
    file.readInto(this.readBuffer, size)
    return this.readBuffer.subarray(0, size)
  }

  remove(): void {
    for (const file of this.files.values()) file.remove()
    this.files.clear()
    this.readBuffer = null
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true })
    this.dir = null
  }
}
