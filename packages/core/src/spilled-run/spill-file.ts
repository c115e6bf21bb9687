import { closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync, fstatSync } from 'node:fs'

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

  /** Reads the first `size` bytes of the file into `target`. */
  readInto(target: Buffer, size: number): void {
    const fd = this.openFd()
    let read = 0
    while (read < size) read += readSync(fd, target, read, size - read, read)
  }

  /** Closes and deletes the file. */
  remove(): void {
    if (this.fd === null) return
    closeSync(this.fd)
    this.fd = null
    try {
      unlinkSync(this.path)
    } catch {
      // Already gone with its folder.
    }
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
