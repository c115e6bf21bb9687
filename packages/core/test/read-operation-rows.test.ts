import { describe, expect, it } from 'vitest'
import { readOperationRows, VehiclePerfError, type CsvHeader, type ParsedBatch, type RowKind } from '@vehicle-perf/core'

async function read(kind: RowKind, text: string, batchSize?: number): Promise<{ batches: ParsedBatch[]; header?: CsvHeader }> {
  const batches: ParsedBatch[] = []
  let header: CsvHeader | undefined
  for await (const batch of readOperationRows([text], kind, { sourceName: 'test.csv', batchSize, onHeader: (h) => (header = h) })) batches.push(batch)
  return { batches, header }
}

const RIDE_HEADER = 'ride_id,vehicle_id,time_ride_start,time_ride_end,start_lat,start_lng,end_lat,end_lng,gross_amount'
const GOOD_RIDE = 'R0000000000000000001,f42vVrTOJh7yVYJACDCv,2019-05-01 10:00:00 UTC,2019-05-01 10:10:00.5 UTC,48.83,2.38,48.83,2.36,2.5'

describe('reading rows of a kind', () => {
  it('matches columns by header name in any order and reports extra columns once', async () => {
    const text = 'vehicle_id,extra,task_id,time_task_resolved,time_task_created\nf42vVrTOJh7yVYJACDCv,x,D0000000000000000001,2019-05-01 10:05:00 UTC,2019-05-01 10:00:00 UTC\n'
    const { batches, header } = await read('deployment', text)
    expect(header?.unknownColumns).toEqual(['extra'])
    expect(batches[0]?.rows[0]).toEqual({
      line: 2,
      row: { kind: 'deployment', taskId: 'D0000000000000000001', vehicleId: 'f42vVrTOJh7yVYJACDCv', createdAt: Date.parse('2019-05-01T10:00:00Z'), resolvedAt: Date.parse('2019-05-01T10:05:00Z') },
    })
  })

  it('fails the file with missing_column, naming the file and the columns, before yielding any row', async () => {
    const error = await read('ride', 'ride_id,vehicle_id\nR0000000000000000001,f42vVrTOJh7yVYJACDCv\n').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(VehiclePerfError)
    expect((error as VehiclePerfError).code).toBe('missing_column')
    expect((error as VehiclePerfError).message).toContain('test.csv')
    expect((error as VehiclePerfError).message).toContain('time_ride_start')
  })

  it('matches header names exactly: a padded name is missing', async () => {
    const error = await read('deployment', 'task_id, vehicle_id,time_task_created,time_task_resolved\n').catch((e: unknown) => e)
    expect((error as VehiclePerfError).code).toBe('missing_column')
  })

  it.each([
    ['an empty file', ''],
    ['a BOM only', '\uFEFF'],
    ['blank lines only', '\n\n'],
  ])('fails %s like a missing header', async (_name, text) => {
    const error = await read('pickup', text).catch((e: unknown) => e)
    expect((error as VehiclePerfError).code).toBe('missing_column')
  })

  it('rejects a row whose field count differs from the header with wrong_column_count only', async () => {
    const { batches } = await read('ride', `${RIDE_HEADER}\nR0000000000000000001,bad id,x\n`)
    expect(batches[0]?.rejects).toEqual([{ line: 2, kind: 'ride', fields: ['R0000000000000000001', 'bad id', 'x'], truncated: false, reasons: ['wrong_column_count'] }])
  })

  it('rejects a broken-quote line and keeps the rows around it', async () => {
    const { batches } = await read('ride', `${RIDE_HEADER}\n${GOOD_RIDE}\nR0000000000000000002,"oops\n${GOOD_RIDE.replace('0001', '0003')}\n`)
    const batch = batches[0] as ParsedBatch
    expect(batch.rows.map((r) => r.line)).toEqual([2, 4])
    expect(batch.rejects.map((r) => [r.line, r.reasons])).toEqual([[3, ['wrong_column_count']]])
    expect(batch.rowsRead).toBe(3)
  })

  it('yields bounded batches in file order', async () => {
    const lines = Array.from({ length: 7 }, (_, i) => GOOD_RIDE.replace('0000000001', String(i).padStart(10, '0')))
    const { batches } = await read('ride', `${RIDE_HEADER}\n${lines.join('\n')}\n`, 3)
    expect(batches.map((b) => b.rowsRead)).toEqual([3, 3, 1])
    expect(batches.flatMap((b) => b.rows.map((r) => r.line))).toEqual([2, 3, 4, 5, 6, 7, 8])
  })

  it('a 5 MB quoted field on line 3 of a 4-line file is one rejected row at line 3; line 4 is read as line 4', async () => {
    const huge = `"${'x'.repeat(5 << 20)}"`
    const text = `${RIDE_HEADER}\n${GOOD_RIDE}\n${GOOD_RIDE.replace('R0000000000000000001', 'R0000000000000000002').replace('2.5', huge)}\n${GOOD_RIDE.replace('R0000000000000000001', 'R0000000000000000003')}\n`
    // Fed in 64 KiB chunks, as a file is read.
    const chunks: string[] = []
    for (let at = 0; at < text.length; at += 65_536) chunks.push(text.slice(at, at + 65_536))
    const batches: ParsedBatch[] = []
    for await (const batch of readOperationRows(chunks, 'ride', { sourceName: 'rides.csv' })) batches.push(batch)
    expect(batches.reduce((sum, b) => sum + b.rowsRead, 0)).toBe(3)
    expect(batches.flatMap((b) => b.rows.map((r) => r.line))).toEqual([2, 4])
    expect(batches.flatMap((b) => b.rejects.map((r) => [r.line, r.reasons]))).toEqual([[3, ['wrong_column_count']]])
  })
})
