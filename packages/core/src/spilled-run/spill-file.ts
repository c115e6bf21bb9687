import { closeSync, ftruncateSync, openSync, read, unlink, writeSync, fstatSync } from 'node:fs'

const BUFFER_BYTES = 32 * 1024

/**
 * An append-only temp file of row records with a small write buffer: a run
 * spills its rows here instead of holding them, so memory stays bounded by
 * the buffers, whatever the input size. Synchronous, like better-sqlite3:
 * the calls are short and nothing else runs on the connection meanwhile.
 */
export class SpillFile {
  private fd: number | null
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES)
  private buffered = 0
  private written = 0

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w+')
  }

  /** Bytes appended so far (a mark to truncate back to). */
  get length(): number {
    return this.written + this.buffered
  }

  /**
   * Room for `size` bytes in the write buffer: returns the buffer and the
   * offset to write the record at.
   */
  reserve(size: number): { target: Buffer; offset: number } {
    if (this.buffered + size > BUFFER_BYTES) this.flush()
    const offset = this.buffered
    this.buffered += size
    return { target: this.buffer, offset }
  }

  /** Appends a record as it is (copied from another file). */
  append(source: Buffer, start: number, end: number): void {
    const { target, offset } = this.reserve(end - start)
    source.copy(target, offset, start, end)
  }

  /** Drops everything after `length` (a failed file's rows). */
  truncate(length: number): void {
    if (length >= this.written) {
      this.buffered = length - this.written
      return
    }
    this.buffered = 0
    ftruncateSync(this.openFd(), length)
    this.written = length
  }

  /** Bytes in the file, after writing out the buffer. */
  size(): number {
    this.flush()
    return fstatSync(this.openFd()).size
  }

  /** Reads the first `size` bytes of the file into `target`, on libuv's threads (call `size()` first: it writes out the buffer). */
  readInto(target: Buffer, size: number): Promise<void> {
    const fd = this.openFd()
    return new Promise((resolve, reject) => {
      const next = (done: number): void => {
        if (done >= size) return resolve()
        read(fd, target, done, size - done, done, (error, bytes) => {
          if (error !== null) return reject(error)
          if (bytes === 0) return reject(new Error(`spill file ${this.path} ended at byte ${done} of ${size}`))
          next(done + bytes)
        })
      }
      next(0)
    })
  }

  /**
   * Closes and deletes the file. The delete runs on libuv's threads: freeing
   * a partition's pages took the settling step ~1 s at scale 100 in this
   * thread.
   */
  remove(): void {
    if (this.fd === null) return
    closeSync(this.fd)
    this.fd = null
    unlink(this.path, () => {
      // Gone, or already gone with its folder.
    })
  }

  private flush(): void {
    if (this.buffered === 0) return
    let done = 0
    while (done < this.buffered) done += writeSync(this.openFd(), this.buffer, done, this.buffered - done, this.written + done)
    this.written += this.buffered
    this.buffered = 0
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`spill file ${this.path} is closed`)
    return this.fd
  }
}
