// @vehicle-perf/cli: the `vehicle-perf` command, and its parts for scripts that embed it.

// Commands
export { mainCommand } from './main-command.js'
export { runCli } from './run-cli.js'
export { runIngest } from './commands/ingest-command.js'
export { lookupLines } from './commands/lookup-command.js'
export { runServer, type ServerConfig } from './run-server.js'
export { runCluster } from './run-cluster.js'

// Store selection and output
export { openStore, parseStoreLocation, DEFAULT_DB, type StoreLocation } from './open-store.js'
export { formatIngestReport, formatStats, statsJson } from './format-report.js'
