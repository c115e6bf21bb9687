import { createReadStream } from 'node:fs'
import { parse } from 'csv-parse'
import { readRecordRows, type CsvRecord, type ParsedBatch, type RowKind } from '@vehicle-perf/core'

const LINE_BREAK = /\r\n|\n|\r/g

function lineBreaks(text: string): number {
  return text.match(LINE_BREAK)?.length ?? 0
}

/**
 * For a pipeline that already parses CSV with csv-parse (or gets records
 * from anywhere else): hand the records, header first, to core's
 * validation with `readRecordRows`. Core's rejects carry the physical line a
 * record starts on; csv-parse's `raw` text of each record (blank lines
 * before it, its own line breaks, its delimiter) gives that line here.
 */
export async function* validateWithCsvParse(path: string, kind: RowKind): AsyncGenerator<ParsedBatch> {
  const parser = createReadStream(path).pipe(parse({ bom: true, raw: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n'] }))
  async function* records(): AsyncGenerator<CsvRecord> {
    let linesBefore = 0
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const blankLines = lineBreaks(/^(?:\r\n|\n|\r)*/.exec(raw)?.[0] ?? '')
      yield { fields: record, line: linesBefore + blankLines + 1, malformed: false }
      linesBefore += lineBreaks(raw)
    }
  }
  yield* readRecordRows(records(), kind, { sourceName: path })
}
