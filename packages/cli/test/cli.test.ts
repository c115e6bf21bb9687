import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { ExpectedAccounting, IngestReport } from '@vehicle-perf/core'
import { canMountTmpfs, withTmpfs } from '../../../scripts/test-support/tmpfs.js'

const root = resolve(import.meta.dirname, '../../..')
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href
const work = mkdtempSync(join(tmpdir(), 'vp-cli-'))
const data = join(work, 'data')
const db = `sqlite:${join(work, 'store.db')}`

/** Runs the real `vehicle-perf` entry point (from source) as a user would. */
function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, join(root, 'packages/cli/src/bin.ts'), ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'), NO_COLOR: '1' },
  })
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.replace(/npm warn[^\n]*\n/g, '') }
}

beforeAll(() => {
  const generated = cli('generate', '--scale', '0.05', '--seed', '5', '--out', data)
  expect(generated.code).toBe(0)
}, 60_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('vehicle-perf cli', () => {
  it('ingest --json prints the run report, matching the generated accounting exactly', () => {
    const run = cli('ingest', data, '--db', db, '--json')
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout) as IngestReport
    const expected = JSON.parse(readFileSync(join(data, 'expected-accounting.json'), 'utf8')) as ExpectedAccounting
    const { files: _files, ...totals } = expected.totals
    expect(report.totals).toEqual({ files: expected.totals.files, failed_files: 0, ...totals })
    expect(report).toMatchObject({ status: 'succeeded', data_version: 1 })
  })

  it('ingest prints a readable summary table without --json, and no progress bar when not on a terminal', () => {
    const run = cli('ingest', join(data, 'rides_2019-05-01.csv'), '--db', db)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^file\s+kind\s+rows\s+accepted\s+exact dup\s+conflict\s+rejected/)
    expect(run.stdout).toContain('rides_2019-05-01.csv')
    expect(run.stdout).toMatch(/total \(1 files, 0 failed\)/)
    expect(run.stderr).toBe('')
  })

  it('lookup prints one line per key, in order: responses, 404 and 400 lines', () => {
    const pickups = readFileSync(join(data, 'pickups_2019-05-08.csv'), 'utf8').split('\n')[1]?.split(',') ?? []
    const [vehicleId, qrCode] = [pickups[1] as string, pickups[2] as string]
    const run = cli('lookup', vehicleId, 'AAAAAAAAAAAAAAAAAAAA', 'bad!', qrCode.toLowerCase(), '--db', db)
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.map((line) => line.vehicle_id ?? line.status)).toEqual([vehicleId, 404, 400, expect.any(String)])
    expect(lines[1]).toEqual({ key: 'AAAAAAAAAAAAAAAAAAAA', status: 404, title: 'Unknown vehicle' })
    expect(run.code).toBe(1)
  })

  it('stats --json reports rows, duplicates, rejects by reason and the data version, in snake_case', () => {
    const run = cli('stats', '--db', db, '--json')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ runs: { succeeded: 2, last_run_id: expect.any(String) }, data_version: 1, rejected: { rows: expect.any(Number), counted: 'per_run' } })
  })

  it('stats says the logs count per run: a file ingested twice counts its rejects twice', () => {
    const store = `sqlite:${join(work, 'twice.db')}`
    const file = join(data, 'rides_2019-05-01.csv')
    const once = JSON.parse(cli('ingest', file, '--db', store, '--json').stdout) as IngestReport
    cli('ingest', file, '--db', store, '--json')
    const stats = JSON.parse(cli('stats', '--db', store, '--json').stdout) as { rejected: { rows: number; counted: string } }
    expect(stats.rejected).toMatchObject({ rows: 2 * once.totals.rejected.rows, counted: 'per_run' })
    expect(cli('stats', '--db', store).stdout).toMatch(/rejected rows logged, every run\s+\d/)
  })

  it('a missing file and a file of unknown kind fail alone, with a non-zero exit and no stack trace', () => {
    writeFileSync(join(work, 'notes.csv'), 'a,b\n1,2\n')
    const run = cli('ingest', join(work, 'missing.csv'), join(work, 'notes.csv'), join(data, 'deployments_2019-05-01.csv'), '--db', db, '--json')
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout) as IngestReport
    expect(report.files.map((file) => [file.source, file.error?.code ?? null])).toEqual([
      ['deployments_2019-05-01.csv', null],
      ['missing.csv', 'unreadable'],
      ['notes.csv', 'unknown_kind'],
    ])
    expect(report.files[1]?.error?.message).toContain('missing.csv')
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  it('a file with a bad header reports the size and sha256 of the whole file, and no row counts', () => {
    const body = `ride_id,vehicle_id\n${'R0000000000000000001,V0000000000000000001\n'.repeat(5000)}`
    writeFileSync(join(work, 'rides_bad_header.csv'), body)
    const run = cli('ingest', join(work, 'rides_bad_header.csv'), '--db', db, '--json')
    expect(run.code).toBe(1)
    const file = (JSON.parse(run.stdout) as IngestReport).files[0]
    expect(file).toMatchObject({ bytes: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex'), error: { code: 'missing_column' } })
    expect(file?.rows_read).toBeUndefined()
  })

  it('user mistakes get one clear line and no stack trace', () => {
    const cases = [
      cli('ingest', data, '--db', db, '--policy', 'cheapest'),
      cli('ingest', data, '--db', 'mysql://localhost/x'),
      cli('lookup', 'AAAAAA', '--db', `sqlite:${join(work, 'nothing-here.db')}`),
    ]
    for (const run of cases) {
      expect(run.code).not.toBe(0)
      expect(run.stderr).toMatch(/^vehicle-perf: /)
      expect(run.stderr).not.toMatch(/\n\s+at /)
    }
    expect(cases[0]?.stderr).toContain('--policy cheapest')
    expect(cases[1]).toMatchObject({ code: 2, stderr: 'vehicle-perf: --db mysql://localhost/x: unknown store scheme "mysql": expected sqlite:PATH or postgres://...\n' })
    expect(cases[2]?.stderr).toContain('nothing-here.db')
  })

  it('a database path that is not a database fails clearly', () => {
    mkdirSync(join(work, 'adir.db'), { recursive: true })
    const run = cli('ingest', data, '--db', `sqlite:${join(work, 'adir.db')}`)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^vehicle-perf: cannot open .*adir\.db/)
  })

  it('serve answers over HTTP, logs JSON lines, and on SIGTERM drains and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'packages/cli/src/bin.ts'), 'serve', '--db', db, '--port', '0'], {
      cwd: work,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const deadline = Date.now() + 30_000
    while (!output.includes('"msg":"listening"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    const listening = JSON.parse(output.split('\n').find((line) => line.includes('"listening"')) as string) as { url: string; level: string }
    expect(listening.level).toBe('info')
    expect((await fetch(`${listening.url}/readyz`)).status).toBe(200)
    expect((await fetch(`${listening.url}/api/v1/vehicles/bad-key`)).status).toBe(400)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output).toContain('"msg":"stopped"')
  }, 60_000)

  it('serve --workers 2 answers from two processes on one port, and on SIGTERM both drain and the primary exits 0', async () => {
    const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'packages/cli/src/bin.ts'), 'serve', '--db', db, '--port', '0', '--workers', '2'], {
      cwd: work,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const listening = (): { url: string; pid: number }[] => output.split('\n').filter((line) => line.includes('"listening"')).map((line) => JSON.parse(line) as { url: string; pid: number })
    const deadline = Date.now() + 30_000
    while (listening().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    const [first, second] = listening()
    expect(first?.url).toBe(second?.url)
    expect(first?.pid).not.toBe(second?.pid)
    expect((await fetch(`${first?.url}/readyz`)).status).toBe(200)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output.match(/"msg":"stopped"/g)?.length).toBe(3)
  }, 60_000)

  it('serve --workers refuses a count that is not a whole number from 1 to 64', () => {
    const run = cli('serve', '--db', db, '--workers', 'many')
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('vehicle-perf: --workers many: expected a whole number from 1 to 64\n')
  })

  it('an ingest killed half-way (SIGKILL) leaves the store exactly as it was, and the next run works', async () => {
    const before = cli('stats', '--db', db, '--json')
    const bigger = join(work, 'bigger')
    expect(cli('generate', '--scale', '0.3', '--seed', '6', '--out', bigger).code).toBe(0)
    // Rides arrive on stdin, which stays open: the run cannot finish, and once
    // the child has drained the pipe it is inside its transaction, staging rows.
    const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'packages/cli/src/bin.ts'), 'ingest', '-', '--kind', 'ride', '--db', db, '--json'], {
      cwd: work,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    const rides = readFileSync(join(bigger, 'rides_2019-05-01.csv'))
    expect(rides.length).toBeGreaterThan(1 << 18)
    if (!child.stdin.write(rides)) await new Promise((resolve) => child.stdin.once('drain', resolve))
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    expect(cli('stats', '--db', db, '--json').stdout).toBe(before.stdout)
    const next = cli('ingest', join(data, 'deployments_2019-05-01.csv'), '--db', db, '--json')
    expect(next.code).toBe(0)
    expect((JSON.parse(next.stdout) as IngestReport).status).toBe('succeeded')
  }, 60_000)

  it('ingest reads standard input with - and --kind, and asks for --kind without it', () => {
    const csv = 'task_id,vehicle_id,time_task_created,time_task_resolved\nS0000000000000000001,S0000000000000000002,2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC\n'
    const piped = spawnSync(process.execPath, ['--import', tsxLoader, join(root, 'packages/cli/src/bin.ts'), 'ingest', '-', '--kind', 'deployment', '--db', db, '--json'], {
      cwd: work,
      input: csv,
      encoding: 'utf8',
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
    })
    expect(piped.status).toBe(0)
    expect((JSON.parse(piped.stdout) as IngestReport).files[0]).toMatchObject({ source: 'stdin', kind: 'deployment', rows_read: 1, accepted: 1 })
    const withoutKind = cli('ingest', '-', '--db', db)
    expect(withoutKind.code).toBe(2)
    expect(withoutKind.stderr).toContain('--kind')
  })
})

describe('vehicle-perf cli on PostgreSQL', () => {
  const url = new URL(inject('databaseUrl'))
  url.searchParams.set('schema', `vp_cli_${process.pid}_${Date.now() % 100000}`)
  const pg = url.toString()

  it('ingest --json, lookup, stats and serve work on a postgres:// store as on SQLite', async () => {
    const ingested = cli('ingest', data, '--db', pg, '--json')
    expect(ingested.stderr).toBe('')
    expect(ingested.code).toBe(0)
    const report = JSON.parse(ingested.stdout) as IngestReport
    const expected = JSON.parse(readFileSync(join(data, 'expected-accounting.json'), 'utf8')) as ExpectedAccounting
    const { files: _files, ...totals } = expected.totals
    expect(report.totals).toEqual({ files: expected.totals.files, failed_files: 0, ...totals })

    const pickups = readFileSync(join(data, 'pickups_2019-05-08.csv'), 'utf8').split('\n')[1]?.split(',') ?? []
    const [vehicleId, qrCode] = [pickups[1] as string, pickups[2] as string]
    const lookup = cli('lookup', vehicleId, qrCode.toLowerCase(), '--db', pg)
    expect(lookup.code).toBe(0)
    const lines = lookup.stdout.trim().split('\n').map((line) => JSON.parse(line) as { vehicle_id: string })
    expect(lines[0]?.vehicle_id).toBe(vehicleId)
    // The same answer as the SQLite store holds for the same data.
    expect(lookup.stdout.split('\n')[0]).toBe(cli('lookup', vehicleId, '--db', db).stdout.split('\n')[0])

    const stats = cli('stats', '--db', pg, '--json')
    expect(JSON.parse(stats.stdout)).toMatchObject({ runs: { succeeded: 1 }, data_version: 1, rejected: { rows: totals.rejected.rows } })

    const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'packages/cli/src/bin.ts'), 'serve', '--db', pg, '--port', '0'], {
      cwd: work,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const deadline = Date.now() + 30_000
    while (!output.includes('"msg":"listening"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    const listening = JSON.parse(output.split('\n').find((line) => line.includes('"listening"')) as string) as { url: string }
    expect((await fetch(`${listening.url}/readyz`)).status).toBe(200)
    expect((await fetch(`${listening.url}/api/v1/vehicles/${vehicleId}`)).status).toBe(200)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 120_000)

  it('a postgres:// store that cannot be reached fails in one line that names it, without the password', () => {
    const run = cli('stats', '--db', 'postgres://someone:secret@127.0.0.1:1/nowhere')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^vehicle-perf: cannot read schema vehicle_perf on 127\.0\.0\.1:1\/nowhere: /)
    expect(run.stderr).not.toContain('secret')
  })
})

describe.skipIf(!canMountTmpfs)('vehicle-perf ingest on a full disk', () => {
  it('exits 1 with one line naming the cause, and --json prints the failed run\'s report with its code and accounting so far', () =>
    withTmpfs(1024, async (disk) => {
      const run = cli('ingest', data, '--db', `sqlite:${join(disk, 'store.db')}`, '--json')
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^vehicle-perf: .*the disk is full/)
      expect(run.stderr).not.toMatch(/\n\s+at /)
      const report = JSON.parse(run.stdout) as IngestReport
      expect(report).toMatchObject({ status: 'failed', error: { code: 'disk_full' } })
      expect(report.files.length).toBeGreaterThan(0)
    }), 60_000)
})
