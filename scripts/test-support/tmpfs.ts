// A small tmpfs for the tests of a full disk: a real filesystem that runs
// out of space, not a mock. Mounting needs root (CI runs as root); where the
// machine does not allow it, those tests are skipped with a message.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

function tryMount(dir: string, sizeKb: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0777`, 'tmpfs', dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Whether this machine lets the tests mount a tmpfs. */
export const canMountTmpfs: boolean = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'vp-tmpfs-probe-'))
  const mounted = tryMount(dir, 64)
  if (mounted) execFileSync('umount', [dir])
  rmSync(dir, { recursive: true, force: true })
  if (!mounted) console.warn('[vehicle-perf] this machine does not allow mounting a tmpfs: the full-disk tests are skipped')
  return mounted
})()

/** Runs `body` with a fresh tmpfs of `sizeKb` mounted at a folder of its own, unmounted afterwards. */
export async function withTmpfs<T>(sizeKb: number, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'vp-tmpfs-'))
  if (!tryMount(dir, sizeKb)) throw new Error(`cannot mount a tmpfs at ${dir}`)
  try {
    return await body(dir)
  } finally {
    execFileSync('umount', ['-l', dir])
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Gives a mounted tmpfs more room: the disk an operator has just freed. */
export function growTmpfs(dir: string, sizeKb: number): void {
  execFileSync('mount', ['-o', `remount,size=${sizeKb}k`, dir])
}
