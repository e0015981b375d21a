// Paced load generator, run in its own process: autocannon at a fixed overall
// rate (not a closed loop, so the latency is the page's, not a queue's) against
// a URL, cycling through the given cookies and paths. Prints one JSON line.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, rate, seconds, cookiesFile] = process.argv.slice(2);
const { cookies, paths } = JSON.parse(readFileSync(cookiesFile, 'utf8'));
const requests = [];
for (let i = 0; i < cookies.length; i++)
  requests.push({ method: 'GET', path: paths[i % paths.length], headers: { cookie: cookies[i] } });
const result = await autocannon({
  url,
  connections: 16,
  overallRate: Number(rate),
  duration: Number(seconds),
  requests,
});
process.stdout.write(
  `${JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, errors: result.errors, non2xx: result.non2xx })}\n`,
);
