/** One CSV record with the 1-based physical line it starts on. */
export interface CsvRecord {
  fields: string[]
  line: number
  /**
   * Broken quoting (a quote never closed, or a quoted field larger than any
   * real value): the record was cut back to its first physical line, split
   * on commas with quotes taken literally, and parsing went on at the next
   * line. It is always rejected downstream, never trusted.
   */
  malformed: boolean
}

const QUOTE = 34
const LF = 10
const CR = 13

/**
 * The most of one record the parser holds. A longer record (a field of
 * megabytes, or a quote that never closes) is rejected as one malformed
 * record at the line it starts on, and the parser skips the rest of that
 * physical line without holding it. It does not skip by quotes: a quote that
 * never closes would then swallow the rest of the file, rows never counted.
 */
export const MAX_RECORD_CHARS = 1 << 20

/** How much of a malformed record's first line is kept for its reject (it is cut to 1 KiB later anyway). */
const OVERSIZE_KEPT_CHARS = 4096

const INCOMPLETE = -1

/**
 * An RFC 4180 parser fed with text chunks, holding at most one unfinished
 * record between chunks (bounded by MAX_RECORD_CHARS). Lenient where real
 * exports are sloppy (a quote inside an unquoted field is data) and never
 * throws: broken quoting becomes a `malformed` record and the rest of the
 * file is still read. Blank lines are skipped but counted for line numbers.
 */
export class CsvRecordParser {
  private pending = ''
  private line = 1
  private started = false
  /** In the middle of an oversize record's first line, skipped to its end. */
  private skipping = false

  /** Parses as many whole records as `text` completes, appending them to `out`. */
  push(text: string, out: CsvRecord[]): void {
    // The BOM is looked for in the first text, not the first chunk: a stream
    // may yield an empty chunk first.
    if (!this.started && text.length > 0) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    this.pending = this.parse(this.pending.length === 0 ? text : this.pending + text, false, out)
  }

  /** Flushes the last record (a file need not end with a newline). */
  end(out: CsvRecord[]): void {
    this.pending = this.parse(this.pending, true, out)
  }

  private parse(buf: string, eof: boolean, out: CsvRecord[]): string {
    let pos = this.skipping ? this.skip(buf, 0, eof) : 0
    const length = buf.length
    while (pos < length) {
      const first = buf.charCodeAt(pos)
      if (first === LF) {
        this.line++
        pos++
        continue
      }
      if (first === CR) {
        if (pos + 1 >= length && !eof) break
        if (buf.charCodeAt(pos + 1) === LF) {
          this.line++
          pos += 2
          continue
        }
      }
      const fields: string[] = []
      const next = this.parseRecord(buf, pos, eof, fields)
      if (next === INCOMPLETE && !eof && length - pos <= MAX_RECORD_CHARS) break
      // A quote that never closes, or a record too large to hold (however
      // the input is chunked): its first physical line is one malformed record.
      if (next === INCOMPLETE || next - pos > MAX_RECORD_CHARS) {
        pos = this.rejectFirstLine(buf, pos, eof, out)
        continue
      }
      out.push({ fields, line: this.line, malformed: false })
      this.line += 1 + countLineFeeds(buf, pos, next)
      pos = next
    }
    return pos >= length ? '' : buf.slice(pos)
  }

  /** Returns the position after the record's line feed, or INCOMPLETE. */
  private parseRecord(buf: string, start: number, eof: boolean, fields: string[]): number {
    const length = buf.length
    let pos = start
    let lineEnd = buf.indexOf('\n', pos)
    for (;;) {
      if (buf.charCodeAt(pos) === QUOTE) {
        // Quoted field: "" is an escaped quote; text after the closing quote
        // up to the next separator is kept literally (lenient).
        let value = ''
        let segment = pos + 1
        for (;;) {
          const quote = buf.indexOf('"', segment)
          if (quote === -1) return INCOMPLETE
          if (quote + 1 >= length && !eof) return INCOMPLETE
          if (buf.charCodeAt(quote + 1) === QUOTE) {
            value += buf.slice(segment, quote + 1)
            segment = quote + 2
            continue
          }
          value += buf.slice(segment, quote)
          pos = quote + 1
          break
        }
        if (lineEnd !== -1 && lineEnd < pos) lineEnd = buf.indexOf('\n', pos)
        const stop = nextSeparator(buf, pos, lineEnd)
        if (stop === -1) {
          if (!eof) return INCOMPLETE
          fields.push(value + stripTrailingCr(buf.slice(pos)))
          return length
        }
        fields.push(value + (stop === lineEnd ? stripTrailingCr(buf.slice(pos, stop)) : buf.slice(pos, stop)))
        if (stop === lineEnd) return stop + 1
        pos = stop + 1
        continue
      }
      const stop = nextSeparator(buf, pos, lineEnd)
      if (stop === -1) {
        if (!eof) return INCOMPLETE
        fields.push(stripTrailingCr(buf.slice(pos)))
        return length
      }
      if (stop === lineEnd) {
        fields.push(stripTrailingCr(buf.slice(pos, stop)))
        return stop + 1
      }
      fields.push(buf.slice(pos, stop))
      pos = stop + 1
      if (pos >= length) {
        if (!eof) return INCOMPLETE
        fields.push('')
        return length
      }
    }
  }

  /**
   * Rejects the record at `start` by its first physical line (at most
   * OVERSIZE_KEPT_CHARS of it) and goes on after that line, skipping it
   * into the next chunks when it does not end in this one.
   */
  private rejectFirstLine(buf: string, start: number, eof: boolean, out: CsvRecord[]): number {
    const lineEnd = buf.indexOf('\n', start)
    const end = Math.min(lineEnd === -1 ? buf.length : lineEnd, start + OVERSIZE_KEPT_CHARS)
    out.push({ fields: stripTrailingCr(buf.slice(start, end)).split(','), line: this.line, malformed: true })
    this.skipping = true
    return this.skip(buf, start, eof)
  }

  /** Reads on to the end of the skipped line. Returns where the next record starts; everything before it is dropped. */
  private skip(buf: string, from: number, eof: boolean): number {
    const lineEnd = buf.indexOf('\n', from)
    if (lineEnd === -1) {
      if (eof) this.skipping = false
      return buf.length
    }
    this.line++
    this.skipping = false
    return lineEnd + 1
  }
}

/** The next comma before the line end, the line end, or -1 when neither is in the buffer. */
function nextSeparator(buf: string, from: number, lineEnd: number): number {
  const comma = buf.indexOf(',', from)
  if (comma !== -1 && (lineEnd === -1 || comma < lineEnd)) return comma
  return lineEnd
}

function stripTrailingCr(text: string): string {
  return text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text
}

function countLineFeeds(buf: string, from: number, to: number): number {
  // The record's own terminating line feed is counted by the caller.
  let count = 0
  let at = buf.indexOf('\n', from)
  while (at !== -1 && at < to - 1) {
    count++
    at = buf.indexOf('\n', at + 1)
  }
  return count
}

/** Text or bytes, in chunks: a Node stream, a web stream's iterator, an array of strings. */
export type ChunkSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>

/** Decodes byte or text chunks (invalid UTF-8 becomes U+FFFD, a BOM is dropped) and yields records in groups. */
export async function* readCsvRecords(chunks: ChunkSource): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvRecordParser()
  const decoder = new TextDecoder('utf-8')
  for await (const chunk of chunks) {
    const out: CsvRecord[] = []
    parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }), out)
    if (out.length > 0) yield out
  }
  const out: CsvRecord[] = []
  parser.push(decoder.decode(), out)
  parser.end(out)
  if (out.length > 0) yield out
}
