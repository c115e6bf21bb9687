import { defineCommand } from 'citty'
import { guarded } from '../cli-errors.js'
import { DEFAULT_DB } from '../open-store.js'
import { runServer } from '../run-server.js'
import { readPort } from './generate-command.js'

export const serveCommand = defineCommand({
  meta: { name: 'serve', description: 'Serve the JSON API and the report page of a store over HTTP' },
  args: {
    db: { type: 'string', description: 'Store: sqlite:PATH (default) or postgres://...', default: DEFAULT_DB },
    port: { type: 'string', description: 'Port', default: '3000' },
    host: { type: 'string', description: 'Interface to listen on', default: '127.0.0.1' },
    'report-redirect': { type: 'string', description: 'Dashboard URL template with {vehicle_id} / {qr_code}: the report route redirects there' },
  },
  run: ({ args }) =>
    guarded(async () => {
      await runServer({ db: args.db, port: readPort(args.port, 3000), host: args.host, reportRedirect: args['report-redirect'] })
      await new Promise(() => {})
    }),
})
