import { readdirSync, readFileSync } from 'node:fs'

// CPU time of a process and its children (cluster workers), from /proc
// (Linux). Server CPU per request is steadier than requests per second on a
// shared machine: it does not depend on how much CPU the load generator got.

function statOf(pid: number): { ppid: number; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start after ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }
  } catch {
    return null
  }
}

/** utime + stime in ms of `pid` and its direct children. */
export function processTreeCpuMs(pid: number): number {
  const ticksPerMs = 100 / 1000 // USER_HZ is 100 on Linux
  let ticks = statOf(pid)?.ticks ?? 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = statOf(Number(entry))
    if (stat?.ppid === pid) ticks += stat.ticks
  }
  return ticks / ticksPerMs
}
