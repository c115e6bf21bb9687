import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SpillFile } from './spill-file.js'
import { sqliteError } from './sqlite-errors.js'

/**
 * Key partitions per kind and vehicle partitions per run. A partition is
 * what one step of resolving holds in memory: at scale 100 (11.5M rows) a
 * key partition of rides is ~120k records, 15 MB. The key partition count is
 * also the store's key index layout (key_index.part): changing it needs a
 * schema step.
 */
export const KEY_PARTITIONS = 64
export const VEHICLE_PARTITIONS = 64

const SPILL_PREFIX = 'vehicle-perf-run-'

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

  constructor(private readonly parent: string = tmpdir()) {}

  /**
   * Runs spill I/O, turning a failure (a missing or full temp folder) into a
   * store error that ends the run: left as it is, core would take an errno
   * error for the CSV file being read and fail that file alone.
   */
  guard<T>(work: () => T): T {
    try {
      return work()
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code
      if (typeof code !== 'string' || !code.startsWith('E')) throw error
      throw sqliteError('store_unreachable', `cannot write the run's temp files in ${this.dir ?? this.parent} (the tempDir option): ${(error as Error).message}`, error)
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

  existing(name: string): SpillFile | undefined {
    return this.files.get(name)
  }

  /** The length of every file, to truncate back to (a failed file's rows). */
  mark(): Map<string, number> {
    return new Map([...this.files].map(([name, file]) => [name, file.length]))
  }

  rollbackTo(mark: Map<string, number>): void {
    for (const [name, file] of this.files) file.truncate(mark.get(name) ?? 0)
  }

  /** Reads a file whole and deletes it: each partition is read once. */
  take(name: string): Buffer | null {
    const file = this.files.get(name)
    if (file === undefined) return null
    const bytes = file.readAll()
    file.remove()
    this.files.delete(name)
    return bytes
  }

  remove(): void {
    for (const file of this.files.values()) file.remove()
    this.files.clear()
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true })
    this.dir = null
  }
}
