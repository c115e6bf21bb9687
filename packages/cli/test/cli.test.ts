import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { generate, type ExpectedAccounting, type IngestReport } from '@vehicle-perf/core'
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

/** Starts `vehicle-perf serve ARGS` (from source) and waits for its "listening" log line. */
async function serveUntilListening(...args: string[]): Promise<{ child: ChildProcess; exited: Promise<number | null>; output: () => string; listening: { url: string; level: string } }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'packages/cli/src/bin.ts'), 'serve', ...args], {
    cwd: work,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const deadline = Date.now() + 30_000
  while (!output.includes('"msg":"listening"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  const listening = JSON.parse(output.split('\n').find((line) => line.includes('"listening"')) as string) as { url: string; level: string }
  return { child, exited, output: () => output, listening }
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
    expect(run.stdout).toMatch(/total \(1 file, 0 failed\)/)
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
    // A key asked twice is answered twice; --json, which every other command takes, changes nothing.
    const twice = cli('lookup', vehicleId, 'AAAAAAAAAAAAAAAAAAAA', vehicleId, '--db', db, '--json')
    expect(twice.stdout.trim().split('\n').map((line) => (JSON.parse(line) as Record<string, unknown>).vehicle_id ?? 404)).toEqual([vehicleId, 404, vehicleId])
  })

  it('stats --json reports rows, duplicates, rejects by reason and the data version, in snake_case', () => {
    const run = cli('stats', '--db', db, '--json')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ runs: { succeeded: 2, last_run_id: expect.any(String) }, data_version: 1, rejected: { rows: expect.any(Number), counted: 'per_run' } })
  })

  it('a file named twice is read twice, however it is spelt: the second copy is a re-ingest within the batch', () => {
    const file = join(data, 'deployments_2019-05-01.csv')
    const store = `sqlite:${join(work, 'named-twice.db')}`
    const run = cli('ingest', file, file, join(data, '.', 'deployments_2019-05-01.csv'), '--db', store, '--json')
    const report = JSON.parse(run.stdout) as IngestReport
    expect(report.files.map((f) => f.source)).toEqual(Array(3).fill('deployments_2019-05-01.csv'))
    const [first, ...again] = report.files
    for (const copy of again) expect(copy).toMatchObject({ rows_read: first?.rows_read, accepted: 0, rejected: first?.rejected })
    expect(report.totals.rows_read).toBe(3 * (first?.rows_read ?? 0))
  })

  it('stats and the ingest summary list reject reasons most frequent first, ties by name', () => {
    // 1 bad_amount, 3 bad_id, 2 bad_timestamp, 2 ride_ends_before_start: in the file's order, not the counts'.
    const good = (id: string) => `${id},v1INswvfBuu230vCr3Zd,2019-05-03 01:06:49.684 UTC,2019-05-03 01:19:14.298 UTC,48.843589,2.368380,48.849191,2.400312,2.86`
    const rows = [
      good('r1aaaaaaaaaaaaaaaaaa').replace(/2\.86$/, 'lots'),
      good('bad'),
      good('r1bbbbbbbbbbbbbbbbbb').replace('2019-05-03 01:06:49.684 UTC', 'yesterday'),
      good('r1cccccccccccccccccc').replace('01:19:14', '00:19:14'),
      good('bad2'),
      good('r1dddddddddddddddddd').replace('01:19:14', '00:19:14'),
      good('bad3'),
      good('r1eeeeeeeeeeeeeeeeee').replace('2019-05-03 01:06:49.684 UTC', 'tomorrow'),
      good('r1ffffffffffffffffff'),
    ]
    const file = join(work, 'reasons', 'rides_reasons.csv')
    mkdirSync(join(work, 'reasons'), { recursive: true })
    writeFileSync(file, ['ride_id,vehicle_id,time_ride_start,time_ride_end,start_lat,start_lng,end_lat,end_lng,gross_amount', ...rows].join('\n'))
    const store = `sqlite:${join(work, 'reasons.db')}`
    const order = 'bad_id 3, bad_timestamp 2, ride_ends_before_start 2, bad_amount 1'
    const summary = cli('ingest', file, '--db', store)
    expect(summary.code).toBe(0)
    expect(summary.stdout).toMatch(new RegExp(`^total .* 8  ${order}$`, 'm'))
    const listed = [...cli('stats', '--db', store).stdout.matchAll(/^ {2}([a-z_]+)\s+(\d+)$/gm)].map(([, reason, count]) => `${reason} ${count}`)
    expect(listed.join(', ')).toBe(order)
  })

  it('the summary of a run that read files it added nothing from points to --skip-known, and --skip-known skips them', () => {
    const store = `sqlite:${join(work, 'again.db')}`
    const file = join(data, 'pickups_2019-05-01.csv')
    expect(cli('ingest', file, '--db', store).stdout).not.toMatch(/added no row/)
    const again = cli('ingest', file, join(data, 'deployments_2019-05-01.csv'), '--db', store)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/note: 1 file added no row \(every row stored before, or rejected\); --skip-known skips a file a successful run already ingested/)
    const skipped = cli('ingest', file, '--db', store, '--skip-known')
    expect(skipped.stdout).toMatch(/skipped: already ingested/)
    expect(skipped.stdout).not.toMatch(/added no row/)
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

  it('rejects lists every rejected row of a run with its file, line and reasons, filtered by run, file, kind and reason, as a table, JSON lines or CSV', () => {
    const logs = `sqlite:${join(work, 'logs.db')}`
    // Data with many rejects and duplicates of both classes.
    const noisy = join(work, 'noisy')
    generate({ outDir: noisy, scale: 0.05, seed: 6, anomalies: { malformed: 0.03, conflictDuplicate: 0.02, exactDuplicate: 0.02 } })
    const report = JSON.parse(cli('ingest', noisy, '--db', logs, '--json').stdout) as IngestReport
    const lines = (run: { stdout: string }): Record<string, unknown>[] => run.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
    const all = lines(cli('rejects', '--db', logs, '--json'))
    expect(all).toHaveLength(report.totals.rejected.rows)
    expect(Object.keys(all[0] as object)).toEqual(['run_id', 'source', 'line', 'kind', 'reasons', 'fields', 'fields_truncated'])
    expect(all.every((r) => r.run_id === report.run_id)).toBe(true)
    const [reason, reasonCount] = Object.entries(report.totals.rejected.reasons).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))[0] as [string, number]
    expect(reasonCount).toBeGreaterThan(1)
    expect(lines(cli('rejects', '--db', logs, '--json', '--reason', reason))).toHaveLength(reasonCount)
    const file = report.files.find((f) => (f.rejected?.rows ?? 0) > 0) as IngestReport['files'][number]
    const ofFile = lines(cli('rejects', '--db', logs, '--json', '--file', file.source, '--run', report.run_id))
    expect(ofFile.map((r) => r.source)).toEqual(Array(file.rejected?.rows).fill(file.source))
    const rideRejects = report.files.filter((f) => f.kind === 'ride').reduce((n, f) => n + (f.rejected?.rows ?? 0), 0)
    expect(lines(cli('rejects', '--db', logs, '--json', '--kind', 'ride'))).toHaveLength(rideRejects)
    expect(lines(cli('rejects', '--db', logs, '--json', '--run', 'no-such-run'))).toEqual([])

    const csv = parse(cli('rejects', '--db', logs, '--csv').stdout) as string[][]
    expect(csv[0]).toEqual(['run_id', 'source', 'line', 'kind', 'reasons', 'fields_truncated', 'fields'])
    expect(csv).toHaveLength(report.totals.rejected.rows + 1)
    const table = cli('rejects', '--db', logs, '--limit', '3')
    expect(table.stdout).toMatch(/^run\s+file\s+line\s+kind\s+reasons\s+fields\n/)
    expect(table.stdout.trim().split('\n')).toHaveLength(1 + 3 + 1)
    expect(table.stdout).toContain('(the first 3 rejected rows; --limit N for more, --json or --csv for all)')
  })

  it('duplicates lists the logged duplicates with their class, and for a conflict both versions in snake_case', () => {
    const logs = `sqlite:${join(work, 'logs.db')}`
    const report = JSON.parse(cli('stats', '--db', logs, '--json').stdout) as { duplicates: { exact: number; conflict: number } }
    const lines = (run: { stdout: string }): Record<string, unknown>[] => run.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines(cli('duplicates', '--db', logs, '--json'))).toHaveLength(report.duplicates.exact + report.duplicates.conflict)
    const conflicts = lines(cli('duplicates', '--db', logs, '--json', '--class', 'conflict'))
    expect(conflicts).toHaveLength(report.duplicates.conflict)
    expect(conflicts[0]).toMatchObject({ classification: 'conflict', kept: { vehicle_id: expect.any(String) }, incoming: { vehicle_id: expect.any(String) } })
    expect(Object.keys(conflicts[0]?.kept as object).every((key) => /^[a-z_]+$/.test(key))).toBe(true)
    const table = cli('duplicates', '--db', logs, '--class', 'conflict')
    expect(table.stdout).toMatch(/^run\s+file\s+line\s+kind\s+key\s+class\s+kept -> incoming\n/)
    expect(table.stdout).toContain(' -> ')
    expect((parse(cli('duplicates', '--db', logs, '--csv', '--class', 'exact').stdout) as string[][])).toHaveLength(report.duplicates.exact + 1)
  })

  it('rejects and duplicates refuse bad filters with exit 2 and a line that says what is expected', () => {
    const logs = `sqlite:${join(work, 'logs.db')}`
    const cases: [string[], RegExp][] = [
      [['rejects', '--reason', 'nope'], /^vehicle-perf: --reason nope: expected one of missing_field, /],
      [['rejects', '--kind', 'car'], /^vehicle-perf: --kind car: expected one of deployment, pickup, ride\n$/],
      [['rejects', '--json', '--csv'], /^vehicle-perf: --json and --csv: give one of them\n$/],
      [['rejects', '--limit', '0'], /^vehicle-perf: --limit 0: expected a whole number from 1\n$/],
      [['duplicates', '--class', 'fuzzy'], /^vehicle-perf: --class fuzzy: expected exact or conflict\n$/],
    ]
    for (const [args, message] of cases) {
      const run = cli(...args, '--db', logs)
      expect([args.join(' '), run.code]).toEqual([args.join(' '), 2])
      expect(run.stderr).toMatch(message)
    }
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

  it('an unknown command, or a command without its PATHS or KEYS, is a usage mistake: one line, a pointer to --help, exit 2', () => {
    const cases: [string[], string][] = [
      [['nosuch'], 'vehicle-perf: Unknown command nosuch\n(vehicle-perf --help shows the usage)\n'],
      [['ingest'], 'vehicle-perf: Missing required positional argument: PATHS\n(vehicle-perf ingest --help shows the usage)\n'],
      [['lookup'], 'vehicle-perf: Missing required positional argument: KEYS\n(vehicle-perf lookup --help shows the usage)\n'],
    ]
    for (const [args, stderr] of cases) expect(cli(...args)).toMatchObject({ code: 2, stdout: '', stderr })
    const bare = cli()
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain('USAGE vehicle-perf ingest|lookup|stats|rejects|duplicates|serve|generate|demo')
  })

  it('an unknown option, a stray argument or an option without its value is a usage mistake: exit 2, nothing run, nothing written', () => {
    const stray = join(work, 'stray-out')
    const cases: [string[], string][] = [
      [['stats', '--jsn', '--db', db], 'unknown option --jsn (did you mean --json?)\n(vehicle-perf stats --help shows the usage)'],
      [['lookup', '--bd', 'x', 'AAAAAAAAAAAAAAAAAAAA'], 'unknown option --bd (did you mean --db?)\n(vehicle-perf lookup --help shows the usage)'],
      [['ingest', data, '--bd', `sqlite:${join(work, 'typo.db')}`], 'unknown option --bd (did you mean --db?)\n(vehicle-perf ingest --help shows the usage)'],
      [['generate', '--out', stray, 'elsewhere'], 'unexpected argument "elsewhere": generate takes options only\n(vehicle-perf generate --help shows the usage)'],
      [['ingest', data, '--db'], '--db needs a value\n(vehicle-perf ingest --help shows the usage)'],
      [['ingest', data, '--db', '--json'], '--db needs a value\n(vehicle-perf ingest --help shows the usage)'],
      [['stats', '--json=yes', '--db', db], '--json takes no value\n(vehicle-perf stats --help shows the usage)'],
      [['serve', '-p', '8080'], 'unknown option -p\n(vehicle-perf serve --help shows the usage)'],
    ]
    for (const [args, message] of cases) expect({ args, ...cli(...args) }).toEqual({ args, code: 2, stdout: '', stderr: `vehicle-perf: ${message}\n` })
    // Nothing ran: no store at the default path or the mistyped one, no generated folder.
    expect(existsSync(join(work, 'vehicle-perf.db'))).toBe(false)
    expect(existsSync(join(work, 'typo.db'))).toBe(false)
    expect(existsSync(stray)).toBe(false)
    // What was right before still runs: `--name=value`, `--no-name`, `--` before positional arguments.
    const generated = join(work, 'generated-with-equals')
    expect(cli('generate', `--out=${generated}`, '--scale=0.01', '--no-json').code).toBe(0)
    expect(existsSync(join(generated, 'expected-accounting.json'))).toBe(true)
    expect(cli('lookup', `--db=${db}`, '--', 'AAAAAAAAAAAAAAAAAAAA').stderr).not.toMatch(/unknown option|unexpected argument|needs a value/)
  })

  it('--help is plain text when piped, for the main command and each subcommand, and exits 0', () => {
    for (const args of [['--help'], ['ingest', '--help'], ['rejects', '-h']]) {
      const run = cli(...args)
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/USAGE/)
      expect(run.stdout).not.toMatch(/\u001b\[/)
    }
    expect(cli('ingest', '--help').stdout).toContain('vehicle-perf ingest [OPTIONS] <PATHS>')
  })

  it('an ingest whose paths do not exist fails before it creates a store; a folder without CSV files warns', () => {
    const store = join(work, 'never-created.db')
    const missing = cli('ingest', join(work, 'no-such-folder'), join(work, 'no-such.csv'), '--db', `sqlite:${store}`)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^vehicle-perf: nothing to ingest: .*no-such-folder: no such file or directory; .*no-such\.csv: no such file or directory\n$/)
    const empty = join(work, 'empty-folder')
    mkdirSync(empty, { recursive: true })
    const none = cli('ingest', empty, '--db', `sqlite:${store}`)
    expect(none.code).toBe(2)
    expect(none.stderr).toContain(`vehicle-perf: warning: ${empty}: no .csv files in this folder\n`)
    expect(existsSync(store)).toBe(false)
  })

  it('a run with a failed file says so in its summary instead of "succeeded", and exits 1', () => {
    const run = cli('ingest', join(data, 'rides_2019-05-01.csv'), join(work, 'missing.csv'), '--db', `sqlite:${join(work, 'partial.db')}`)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/total \(2 files, 1 failed\)/)
    expect(run.stdout).toMatch(/run \S+ stored its other files; 1 file of 2 failed: [\d,]+ vehicles refreshed/)
    expect(run.stdout).not.toContain('succeeded')
  })

  it('serve on a SQLite file that does not exist stops at once with a message to ingest first, instead of answering 503', () => {
    const run = cli('serve', '--db', `sqlite:${join(work, 'not-ingested.db')}`, '--port', '0')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^vehicle-perf: no store at .*not-ingested\.db: ingest data into it first\n$/)
  })

  it('a database path that is not a database fails clearly', () => {
    mkdirSync(join(work, 'adir.db'), { recursive: true })
    const run = cli('ingest', data, '--db', `sqlite:${join(work, 'adir.db')}`)
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^vehicle-perf: cannot open .*adir\.db/)
  })

  it('serve answers over HTTP, logs JSON lines, and on SIGTERM drains and exits 0', async () => {
    const { child, exited, output, listening } = await serveUntilListening('--db', db, '--port', '0')
    expect(listening.level).toBe('info')
    expect((await fetch(`${listening.url}/readyz`)).status).toBe(200)
    expect((await fetch(`${listening.url}/api/v1/vehicles/bad-key`)).status).toBe(400)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output()).toContain('"msg":"stopped"')
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
    expect(cli('serve', '--db', db, '--cache-mb', '0')).toMatchObject({ code: 2, stderr: 'vehicle-perf: --cache-mb 0: expected a whole number of MiB from 1 to 65536\n' })
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

    const { child, exited, listening } = await serveUntilListening('--db', pg, '--port', '0')
    expect((await fetch(`${listening.url}/readyz`)).status).toBe(200)
    expect((await fetch(`${listening.url}/api/v1/vehicles/${vehicleId}`)).status).toBe(200)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 120_000)

  it('?pooler=transaction reads and writes through PgBouncer in transaction mode; another pooler value is a usage mistake', async () => {
    const pooled = new URL(inject('poolerUrl'))
    pooled.searchParams.set('schema', `vp_cli_pooled_${process.pid}_${Date.now() % 100000}`)
    pooled.searchParams.set('pooler', 'transaction')
    const ingested = cli('ingest', data, '--db', pooled.toString(), '--json')
    expect(ingested.stderr).toBe('')
    expect((JSON.parse(ingested.stdout) as IngestReport).status).toBe('succeeded')
    expect(JSON.parse(cli('stats', '--db', pooled.toString(), '--json').stdout)).toMatchObject({ runs: { succeeded: 1 }, data_version: 1 })
    const { child, exited, listening } = await serveUntilListening('--db', pooled.toString(), '--port', '0')
    const pickups = readFileSync(join(data, 'pickups_2019-05-08.csv'), 'utf8').split('\n').slice(1, 41)
    const keys = pickups.flatMap((line) => line.split(',').slice(1, 3))
    // More requests at once than PgBouncer has server connections (4): each lands wherever the pooler puts it.
    const statuses = await Promise.all(keys.map(async (key) => (await fetch(`${listening.url}/api/v1/vehicles/${key}`)).status))
    expect(statuses.every((status) => status === 200)).toBe(true)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    pooled.searchParams.set('pooler', 'session')
    expect(cli('stats', '--db', pooled.toString())).toMatchObject({ code: 2, stderr: expect.stringContaining('expected pooler=transaction') })
  }, 120_000)

  it('a postgres:// store that cannot be reached fails in one line that names it, without the password', () => {
    const run = cli('stats', '--db', 'postgres://someone:secret@127.0.0.1:1/nowhere')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^vehicle-perf: cannot read schema vehicle_perf on 127\.0\.0\.1:1\/nowhere: /)
    expect(run.stderr).not.toContain('secret')
    // A wrong database or role is the user's to fix: one line, exit 1, not an internal error.
    const wrongDatabase = new URL(inject('databaseUrl'))
    wrongDatabase.pathname = '/vp_no_such_database'
    const wrong = cli('stats', '--db', wrongDatabase.toString())
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringMatching(/^vehicle-perf: cannot read .*database "vp_no_such_database" does not exist; create it or fix the URL\n$/) })
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
