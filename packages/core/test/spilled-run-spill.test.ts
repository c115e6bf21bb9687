import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { RunSpill } from '../src/spilled-run/run-spill.js'

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function spillWith(files: Record<string, string>): { spill: RunSpill; paths: Record<string, string> } {
  const parent = mkdtempSync(join(tmpdir(), 'vp-spill-test-'))
  folders.push(parent)
  const spill = new RunSpill(parent, 'test')
  const paths: Record<string, string> = {}
  for (const [name, text] of Object.entries(files)) {
    const file = spill.file(name)
    // More than the write buffer: part on disk, part still buffered when read.
    for (let i = 0; i < text.length; i += 1000) file.append(Buffer.from(text.slice(i, i + 1000)), 0, Math.min(1000, text.length - i))
    paths[name] = file.path
  }
  return { spill, paths }
}

describe("reading a run's temp files", () => {
  test('yields each file whole in the order asked, null for one never written, each valid until the next step', async () => {
    const big = 'x'.repeat(100_000) + 'end'
    const { spill } = spillWith({ a: 'first', b: big, c: 'third' })
    const seen: (string | null)[] = []
    for await (const bytes of spill.readAll(['a', 'missing', 'b', 'c'], false)) seen.push(bytes === null ? null : bytes.toString())
    expect(seen).toEqual(['first', null, big, 'third'])
    // Not removed: a second reading gives the same.
    const again: (string | null)[] = []
    for await (const bytes of spill.readAll(['c', 'a'], false)) again.push(bytes?.toString() ?? null)
    expect(again).toEqual(['third', 'first'])
    spill.remove()
  })

  test('deletes each file once read when asked to, so that it is read once', async () => {
    const { spill, paths } = spillWith({ a: 'one', b: 'two' })
    for await (const bytes of spill.readAll(['a', 'b'], true)) expect(bytes).not.toBeNull()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(existsSync(paths.a as string)).toBe(false)
    expect(existsSync(paths.b as string)).toBe(false)
    const after: (Buffer | null)[] = []
    for await (const bytes of spill.readAll(['a', 'b'], true)) after.push(bytes)
    expect(after).toEqual([null, null])
    spill.remove()
  })

  test('refuses a second reading while one is under way, and takes one again after a reader stops early', async () => {
    const { spill } = spillWith({ a: 'one', b: 'two', c: 'three' })
    const first = spill.readAll(['a', 'b', 'c'], false)
    expect((await first.next()).value?.toString()).toBe('one')
    await expect(spill.readAll(['a'], false).next()).rejects.toThrow(/one reading at a time/)
    await first.return(undefined)
    const second = spill.readAll(['c'], false)
    expect((await second.next()).value?.toString()).toBe('three')
    await second.return(undefined)
    spill.remove()
  })
})
