import { describe, expect, it } from 'vitest'

describe('@vehicle-perf/adapter-postgres exports', () => {
  it('exports its public API by name', async () => {
    expect(Object.keys(await import('@vehicle-perf/adapter-postgres')).sort()).toMatchInlineSnapshot(`
      [
        "createPostgresStorage",
      ]
    `)
  })
})
