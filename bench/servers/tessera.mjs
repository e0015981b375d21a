// A Tessera node on the demo shop (memory store), with 200 consenting
// visitors who have a history (real signed ids, three product views each), so
// every page the load generator asks for is personalized. Prints
// {port, cookies, sample} on stdout once it listens.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyRing, newVisitorId, signId } from '../../dist/core/identity/index.js';
import { createNodeApp } from '../../dist/runtimes/node/app.js';
import { consoleLogger } from '../../dist/runtimes/node/logger.js';

const SECRET = 'bench-secret-bench-secret-bench-secret';
const VISITORS = 200;
const app = await createNodeApp({
  store: 'memory:',
  dataDir: mkdtempSync(join(tmpdir(), 'tessera-bench-')),
  secret: SECRET,
  retrainMs: 0,
  logger: consoleLogger('error'),
});
const ring = createKeyRing(SECRET);
const cats = new Map();
for (const p of app.engine.catalog.values()) {
  if (!cats.has(p.category)) cats.set(p.category, []);
  cats.get(p.category).push(p.id);
}
const lists = [...cats.values()];
const cookies = [];
for (let v = 0; v < VISITORS; v++) {
  const id = newVisitorId();
  const items = lists[v % lists.length];
  await app.engine.ingest(
    id,
    [0, 1, 2].map((i) => ({
      id: `b${v}-${i}`,
      type: 'view',
      ts: Date.now() - 1000 * (3 - i),
      item: items[(v + i * 5) % items.length],
    })),
  );
  cookies.push(`tsr_id=${await signId(ring, id)}; tsr_consent=p1.a1`);
}
const port = await app.listen(Number(process.argv[2] ?? 0));
let sample;
for (const cookie of cookies) {
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } });
  const page = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  if (!page.body.includes('data-tessera-personalized'))
    throw new Error(`[tessera] [bench] the page of ${cookie} is not personalized`);
  sample ??= page;
}
process.on('SIGINT', () => process.exit(0));
process.stdout.write(`${JSON.stringify({ port, cookies, sample })}\n`);
