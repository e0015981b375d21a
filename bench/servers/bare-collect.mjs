// The ingest baseline: a bare node:http server that reads a /collect body,
// JSON-parses it and answers 202 with the same JSON shape Tessera answers
// (every event accepted and stored). Prints {port} once it listens.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const batch = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const n = batch.events.length;
    const body = JSON.stringify({ accepted: n, rejected: [], stored: n });
    res.writeHead(202, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
