// The baseline: a bare node:http server answering a constant JSON body.
// Usage: node bare-server.mjs <port> <body-bytes> [processes]
import cluster from 'node:cluster'
import { createServer } from 'node:http'

const [port, bytes, processes = 1] = process.argv.slice(2).map(Number)
if (processes > 1 && cluster.isPrimary) {
  for (let i = 0; i < processes; i++) cluster.fork()
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    process.exit(0)
  })
} else {
  const body = Buffer.from(JSON.stringify({ padding: 'x'.repeat(Math.max(0, bytes - 14)) }))
  createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length })
    res.end(body)
  }).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'))
}
