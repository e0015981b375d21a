// The baseline: a bare node:http server sending the same bytes and headers
// Tessera sent for a personalized page. Reads the sample from argv[3] (a JSON file).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const sample = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const body = Buffer.from(sample.body);
const headers = { ...sample.headers };
delete headers['set-cookie'];
delete headers['transfer-encoding'];
delete headers.connection;
delete headers['keep-alive'];
delete headers.date;
headers['content-length'] = String(body.length);
const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
