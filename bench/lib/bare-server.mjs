// The baseline: a bare node:http server answering a constant JSON body.
// Usage: node bare-server.mjs <port> <body-bytes>
import { createServer } from 'node:http'

const [port, bytes] = process.argv.slice(2).map(Number)
const body = Buffer.from(JSON.stringify({ padding: 'x'.repeat(Math.max(0, bytes - 14)) }))
createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length })
  res.end(body)
}).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'))
