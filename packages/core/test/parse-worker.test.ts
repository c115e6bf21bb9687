import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readOperationRows, type CsvHeader, type ParsedBatch, type RowKind } from '@vehicle-perf/core'
import { ParseWorker } from '../src/ingest/parse-worker-client.js'

const RIDES = [
  '\uFEFFride_id,vehicle_id,time_ride_start,time_ride_end,start_lat,start_lng,end_lat,end_lng,gross_amount,note',
  'R0000000000000000001,f42vVrTOJh7yVYJACDCv,2019-05-01 10:00:00 UTC,2019-05-01 10:10:00.5 UTC,48.83,2.38,-48.83,-0.0,2.5,a',
  'R0000000000000000002,f42vVrTOJh7yVYJACDCv,2019-05-01 11:00:00 UTC,2019-05-01 11:10:00 UTC,0,0,48.8,2.3,,"quoted, with comma"',
  'R0000000000000000003,bad id,x',
  'R0000000000000000004,"never closed',
  '',
  'R0000000000000000005,g42vVrTOJh7yVYJACDCv,2019-05-02 09:00:00 UTC,2019-05-02 09:30:00 UTC,48.85,2.35,48.86,2.36,13.37,"two',
  'lines"',
  'R0000000000000000006,g42vVrTOJh7yVYJACDCv,not a time,2019-05-02 09:30:00 UTC,48.85,2.35,48.86,2.36,-1,b',
].join('\r\n')

function splitAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b)
  const chunks: string[] = []
  let from = 0
  for (const point of points) {
    chunks.push(text.slice(from, point))
    from = point
  }
  chunks.push(text.slice(from))
  return chunks
}

async function collect(batches: AsyncIterable<ParsedBatch>): Promise<ParsedBatch[]> {
  const out: ParsedBatch[] = []
  for await (const batch of batches) out.push(batch)
  return out
}

describe('parsing in a worker thread', () => {
  let worker: ParseWorker
  beforeAll(async () => {
    const started = await ParseWorker.start()
    if (started === null) throw new Error('the parse worker did not start')
    worker = started
  })
  afterAll(async () => {
    await worker.close()
  })

  it('yields what the main-thread reader yields for the same chunks, however the file is cut and batched', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), async (cuts, batchSize, asBytes) => {
        const chunks = splitAt(RIDES, cuts).map((chunk) => (asBytes ? new TextEncoder().encode(chunk) : chunk))
        const headers: CsvHeader[] = []
        const options = { sourceName: 'rides_x.csv', batchSize, onHeader: (header: CsvHeader) => headers.push(header) }
        const expected = await collect(readOperationRows(chunks, 'ride', options))
        const actual = await collect(worker.read(chunks, 'ride', options))
        expect(actual).toEqual(expected)
        expect(headers[1]).toEqual(headers[0])
      }),
      { numRuns: 40 },
    )
  })

  it.each<[RowKind, string]>([
    ['deployment', 'task_id,vehicle_id,time_task_created,time_task_resolved\nD1,f42vVrTOJh7yVYJACDCv,2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC\n'],
    ['pickup', 'task_id,vehicle_id,qr_code,time_task_created,time_task_resolved\nP1,f42vVrTOJh7yVYJACDCv,ab12cd,2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC\n'],
  ])('carries every field of a %s row', async (kind, text) => {
    expect(await collect(worker.read([text], kind))).toEqual(await collect(readOperationRows([text], kind)))
  })

  it('fails a file without the kind\'s columns with missing_column, naming the file, and takes the next file', async () => {
    const error = await collect(worker.read(['ride_id,vehicle_id\nR1,f42vVrTOJh7yVYJACDCv\n'], 'ride', { sourceName: 'rides_bad.csv' })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'missing_column' })
    expect((error as Error).message).toContain('rides_bad.csv')
    expect(await collect(worker.read([RIDES], 'ride'))).toEqual(await collect(readOperationRows([RIDES], 'ride')))
  })

  it('stops a file when its reader stops early, and closes the file\'s chunks', async () => {
    let closed = false
    async function* endless(): AsyncGenerator<string> {
      try {
        yield RIDES.split('\r\n')[0] + '\n'
        for (;;) yield `${RIDES.split('\r\n')[1]}\n`
      } finally {
        closed = true
      }
    }
    let seen = 0
    for await (const batch of worker.read(endless(), 'ride', { batchSize: 100 })) {
      seen += batch.rowsRead
      if (seen >= 1000) break
    }
    expect(seen).toBe(1000)
    expect(closed).toBe(true)
    expect(await collect(worker.read([RIDES], 'ride'))).toEqual(await collect(readOperationRows([RIDES], 'ride')))
  })

  it('passes a read error of the file through, as the main-thread reader does', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield RIDES
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })
    }
    const error = await collect(worker.read(failing(), 'ride')).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'EIO' })
  })
})
