import { defineCommand } from 'citty'
import { demoCommand } from './commands/demo-command.js'
import { duplicatesCommand } from './commands/duplicates-command.js'
import { generateCommand } from './commands/generate-command.js'
import { ingestCommand } from './commands/ingest-command.js'
import { lookupCommand } from './commands/lookup-command.js'
import { rejectsCommand } from './commands/rejects-command.js'
import { serveCommand } from './commands/serve-command.js'
import { statsCommand } from './commands/stats-command.js'

export const mainCommand = defineCommand({
  meta: { name: 'vehicle-perf', version: '0.1.0', description: 'E-scooter fleet operations data in, vehicle performance out' },
  subCommands: {
    ingest: ingestCommand,
    lookup: lookupCommand,
    stats: statsCommand,
    rejects: rejectsCommand,
    duplicates: duplicatesCommand,
    serve: serveCommand,
    generate: generateCommand,
    demo: demoCommand,
  },
})
