// Load generator, run in its own process: autocannon against a URL, cycling
// through the given cookies. Prints the result as one JSON line.

import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, connections, seconds, cookiesFile] = process.argv.slice(2);
const cookies = cookiesFile ? JSON.parse(readFileSync(cookiesFile, 'utf8')) : [''];
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  requests: cookies.map((c) => ({ method: 'GET', path: '/', headers: c ? { cookie: c } : {} })),
});
process.stdout.write(
  `${JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx })}\n`,
);
