import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { parse as csvParse } from 'csv-parse/sync'
import { readCsvRecords, type CsvRecord } from '@vehicle-perf/core'
import { CsvRecordParser, MAX_RECORD_CHARS } from '../src/csv/csv-record-parser.js'

function parse(text: string, chunkSize = text.length || 1): CsvRecord[] {
  const parser = new CsvRecordParser()
  const out: CsvRecord[] = []
  for (let i = 0; i < text.length; i += chunkSize) parser.push(text.slice(i, i + chunkSize), out)
  parser.end(out)
  return out
}

describe('CSV records', () => {
  it('splits fields and records and numbers physical lines from 1', () => {
    expect(parse('a,b\n1,2\n3,4')).toEqual([
      { fields: ['a', 'b'], line: 1, malformed: false },
      { fields: ['1', '2'], line: 2, malformed: false },
      { fields: ['3', '4'], line: 3, malformed: false },
    ])
  })

  it('tolerates CRLF and a BOM', () => {
    expect(parse('\uFEFFa,b\r\n1,2\r\n').map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2']])
  })

  it('drops a BOM that comes after an empty first chunk', () => {
    const parser = new CsvRecordParser()
    const out: CsvRecord[] = []
    for (const chunk of ['', '\uFEFFa,b\n1,2\n']) parser.push(chunk, out)
    parser.end(out)
    expect(out.map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2']])
  })

  it('skips blank lines without counting them as records, but counts their lines', () => {
    expect(parse('a\n\n1\r\n\r\n2\n\n').map((r) => [r.fields[0], r.line])).toEqual([['a', 1], ['1', 3], ['2', 5]])
  })

  it('reads quoted fields with commas, escaped quotes and newlines, and numbers the next record after them', () => {
    const records = parse('a,b\n"x,1","say ""hi""\nthere"\nnext,row\n')
    expect(records[1]).toEqual({ fields: ['x,1', 'say "hi"\nthere'], line: 2, malformed: false })
    expect(records[2]).toEqual({ fields: ['next', 'row'], line: 4, malformed: false })
  })

  it('keeps empty fields, including a trailing one', () => {
    expect(parse('a,,c,\n').map((r) => r.fields)).toEqual([['a', '', 'c', '']])
  })

  it('treats a quote inside an unquoted field as data', () => {
    expect(parse('ab"c,d\n').map((r) => r.fields)).toEqual([['ab"c', 'd']])
  })

  it('recovers from a quote that never closes: that line is malformed, the lines after it are read', () => {
    const records = parse('h1,h2\n1,"broken\n2,ok\n3,ok\n')
    expect(records.map((r) => [r.line, r.malformed, r.fields])).toEqual([
      [1, false, ['h1', 'h2']],
      [2, true, ['1', '"broken']],
      [3, false, ['2', 'ok']],
      [4, false, ['3', 'ok']],
    ])
  })

  it('rejects a 5 MB quoted field as one record at the line it starts on, and counts the lines after it right', () => {
    const parser = new CsvRecordParser()
    const out: CsvRecord[] = []
    parser.push('h1,h2\n1,ok\n2,"', out)
    // Five megabytes on one line, with escaped quotes, fed as a file is read.
    const chunk = `${'x'.repeat(32_766)}""`
    for (let i = 0; i < 160; i++) parser.push(chunk, out)
    parser.push('end"\n3,after\n', out)
    parser.end(out)
    expect(out.map((r) => [r.line, r.malformed, r.fields[0]])).toEqual([
      [1, false, 'h1'],
      [2, false, '1'],
      [3, true, '2'],
      [4, false, '3'],
    ])
  })

  it('treats a record over 1 MiB the same whether it comes whole or in chunks: its first line rejected, its other lines read as records', () => {
    const text = `h1,h2\n1,"${'x'.repeat(MAX_RECORD_CHARS)}\n${'y'.repeat(10)}"\n2,after\n`
    const parse = (chunks: string[]): [number, boolean, string | undefined][] => {
      const parser = new CsvRecordParser()
      const out: CsvRecord[] = []
      for (const chunk of chunks) parser.push(chunk, out)
      parser.end(out)
      return out.map((r) => [r.line, r.malformed, r.fields[0]?.slice(0, 3)])
    }
    const chunked: string[] = []
    for (let at = 0; at < text.length; at += 65_536) chunked.push(text.slice(at, at + 65_536))
    const expected = [[1, false, 'h1'], [2, true, '1'], [3, false, 'yyy'], [4, false, '2']]
    expect(parse([text])).toEqual(expected)
    expect(parse(chunked)).toEqual(expected)
  })

  it('rejects the first line of a quote that never closes and reads every line after it again, holding at most one record', () => {
    const parser = new CsvRecordParser()
    const out: CsvRecord[] = []
    parser.push('h\n"', out)
    const line = 'x'.repeat(1000) + '\n'
    const lines = 3 * Math.ceil(MAX_RECORD_CHARS / line.length)
    let held = 0
    for (let i = 0; i < lines; i++) {
      parser.push(line, out)
      held = Math.max(held, (parser as unknown as { pending: string }).pending.length)
    }
    parser.end(out)
    expect(held).toBeLessThanOrEqual(MAX_RECORD_CHARS + line.length)
    expect(out.slice(0, 3).map((r) => [r.line, r.malformed])).toEqual([[1, false], [2, true], [3, false]])
    // No line is lost: each one after the broken quote is a record of its own.
    expect(out.length).toBe(2 + lines - 1)
    expect(out.at(-1)?.line).toBe(lines + 1)
  })

  it('decodes invalid UTF-8 as U+FFFD instead of failing', async () => {
    const bytes = new Uint8Array([0x61, 0x2c, 0xff, 0x62, 0x0a])
    const records: CsvRecord[] = []
    for await (const group of readCsvRecords([bytes])) records.push(...group)
    expect(records[0]?.fields).toEqual(['a', '\uFFFDb'])
  })

  it('decodes a multi-byte character split across chunks', async () => {
    const bytes = new TextEncoder().encode('é,ü\n')
    const records: CsvRecord[] = []
    for await (const group of readCsvRecords([bytes.slice(0, 1), bytes.slice(1, 4), bytes.slice(4)])) records.push(...group)
    expect(records[0]?.fields).toEqual(['é', 'ü'])
  })

  it('gives the same records however the input is chunked, empty chunks and a BOM included (property)', () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-z0-9 .:-]{0,6}$/),
      fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', 'x') , maxLength: 8 }).map((s) => `"${s.replace(/"/g, '""')}"`),
    )
    const record = fc.array(field, { minLength: 1, maxLength: 4 }).map((fields) => fields.join(','))
    const text = fc.tuple(fc.array(record, { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean()).map(
      ([records, eol, trailing]) => records.join(eol) + (trailing ? eol : ''),
    )
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 7 }), (input, chunk) => {
        expect(parse(input, chunk)).toEqual(parse(input))
      }),
    )
    // Cut anywhere, empty chunks included (a stream may yield ''), after an optional BOM.
    fc.assert(
      fc.property(text, fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), (input, bom, cuts) => {
        const whole = (bom ? '\uFEFF' : '') + input
        const points = cuts.map((cut) => cut % (whole.length + 1)).sort((a, b) => a - b)
        const parser = new CsvRecordParser()
        const out: CsvRecord[] = []
        let from = 0
        for (const point of [...points, whole.length]) {
          parser.push(whole.slice(from, point), out)
          from = point
        }
        parser.end(out)
        expect(out).toEqual(parse(input))
      }),
    )
  })

  it('reads any well-formed CSV into the records csv-parse reads, at the lines csv-parse says they start on (property)', () => {
    // Fields with commas, quotes, CR, LF and non-ASCII text; quoted when they must be, sometimes when they need not.
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', ',', '"', '\n', '\r\n', 'é', '€'), maxLength: 8 })
    const record = fc.array(fc.tuple(field, fc.boolean()), { minLength: 1, maxLength: 5 })
    const write = ([text, quoteAnyway]: [string, boolean]): string => (quoteAnyway || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text)
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.integer({ min: 1, max: 13 }), (records, newline, chunkSize) => {
        // A record of one empty field is a blank line, which both skip: give it a quoted empty field instead.
        const lines = records.map((fields) => (fields.length === 1 && fields[0]?.[0] === '' ? '""' : fields.map(write).join(',')))
        const text = lines.join(newline) + newline
        const oracle = csvParse(text, { relax_column_count: true, skip_empty_lines: true, record_delimiter: newline }) as string[][]
        // Each record starts on the line after the previous one's last.
        const starts = lines.map((_line, i) => 1 + lines.slice(0, i).reduce((sum, line) => sum + 1 + (line.match(/\r\n|\n/g)?.length ?? 0), 0))
        const ours = parse(text, chunkSize)
        expect(ours.map((r) => r.fields)).toEqual(oracle)
        expect(ours.map((r) => r.line)).toEqual(starts)
        expect(ours.every((r) => !r.malformed)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('never throws and never loses a line on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' '), maxLength: 60 }), fc.integer({ min: 1, max: 9 }), (input, chunk) => {
        const records = parse(input, chunk)
        const lines = records.map((r) => r.line)
        expect([...lines].sort((a, b) => a - b)).toEqual(lines)
        expect(new Set(lines).size).toBe(lines.length)
        for (const line of lines) expect(line).toBeLessThanOrEqual(input.split('\n').length)
      }),
    )
  })
})
