import { describe, expect, it } from 'vitest'

describe('@vehicle-perf/adapter-sqlite exports', () => {
  it('exports its public API by name', async () => {
    expect(Object.keys(await import('@vehicle-perf/adapter-sqlite')).sort()).toMatchInlineSnapshot(`
      [
        "createSqliteStorage",
      ]
    `)
  })
})
