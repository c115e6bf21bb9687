import { describe, expect, it } from 'vitest'

describe('@vehicle-perf/cli exports', () => {
  it('exports its public API by name', async () => {
    expect(Object.keys(await import('@vehicle-perf/cli')).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_DB",
        "formatIngestReport",
        "formatStats",
        "lookupLines",
        "mainCommand",
        "openStore",
        "parseStoreLocation",
        "runCli",
        "runCluster",
        "runIngest",
        "runServer",
        "statsJson",
      ]
    `)
  })
})
