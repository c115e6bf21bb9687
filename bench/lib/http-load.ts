import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

// Servers and wrk for the HTTP benchmarks. wrk runs two threads (one alone
// limits the client) and 50 connections, replaying request paths (lib/mix.lua).

export const CONNECTIONS = 50
const root = join(import.meta.dirname, '../..')

export interface WrkResult {
  requests: number
  /** Server CPU (user + system, all its processes) per request, in microseconds. */
  cpu_us_per_request?: number
  rps: number
  p50_ms: number
  p99_ms: number
  errors: number
  timeouts: number
  statuses: Record<'200' | '400' | '404' | 'other', number>
}

/** Spawns a server (node `args`, from the repository's root) and waits until `readyUrl` answers 2xx. */
export async function start(args: string[], readyUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: root })
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      if ((await fetch(readyUrl)).ok) return child
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`not ready: ${readyUrl}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function wrkArgs(url: string, duration: number): string[] {
  return ['-t2', `-c${CONNECTIONS}`, `-d${duration}s`, '-s', join(import.meta.dirname, 'mix.lua'), url]
}

const parsed = (stdout: string): WrkResult => JSON.parse(stdout.trim().split('\n').pop() as string) as WrkResult

/** `duration` seconds of wrk on `url`, replaying the paths in `pathsFile`. */
export function wrk(url: string, duration: number, pathsFile: string): WrkResult {
  return parsed(execFileSync('wrk', wrkArgs(url, duration), { encoding: 'utf8', env: { ...process.env, VP_PATHS: pathsFile } }))
}

/** As wrk, without blocking the event loop (the soak runs ingests meanwhile). */
export async function wrkAsync(url: string, duration: number, pathsFile: string): Promise<WrkResult> {
  const { stdout } = await promisify(execFile)('wrk', wrkArgs(url, duration), { encoding: 'utf8', env: { ...process.env, VP_PATHS: pathsFile } })
  return parsed(stdout)
}
