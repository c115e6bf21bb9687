import { readdirSync, readFileSync } from 'node:fs'

// CPU time of a process and its children (cluster workers), from /proc
// (Linux). Server CPU per request is steadier than requests per second on a
// shared machine: it does not depend on how much CPU the load generator got.

function statOf(pid: number): { ppid: number; ticks: number; reapedTicks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start after ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), reapedTicks: Number(fields[13]) + Number(fields[14]) }
  } catch {
    return null
  }
}

/**
 * utime + stime in ms of `pid` and its direct children; with `reaped`, also
 * of its children that have ended (a PostgreSQL server's backends and
 * parallel workers come and go).
 */
export function processTreeCpuMs(pid: number, reaped = false): number {
  const ticksPerMs = 100 / 1000 // USER_HZ is 100 on Linux
  const own = statOf(pid)
  let ticks = (own?.ticks ?? 0) + (reaped ? (own?.reapedTicks ?? 0) : 0)
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = statOf(Number(entry))
    if (stat?.ppid === pid) ticks += stat.ticks
  }
  return ticks / ticksPerMs
}

function rssKbOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** Resident memory in MB of `pid` and its direct children (cluster workers). */
export function processTreeRssMb(pid: number): number {
  let kb = rssKbOf(pid)
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && statOf(Number(entry))?.ppid === pid) kb += rssKbOf(Number(entry))
  }
  return kb / 1024
}
