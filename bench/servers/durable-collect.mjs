// The ingest floor of a server that acknowledges only logged events: the bare
// server (bare-collect.mjs) plus an append of each batch to the embedded
// store's event table, done the cheapest way that keeps its guarantees. The
// file is opened as the store opens it (`openSqlite`: the same table, unique
// (visitor, id) index and pragmas) with the WAL checkpointer in a worker; each
// batch is one multi-row INSERT OR IGNORE, the batches of one event-loop turn
// commit in one transaction, and none is answered before that commit. No
// validation, identity, consent, fold, profile, cookie or live model, and none
// of the log port's bookkeeping: the visitor is read from the `tsr_id` cookie
// as it comes. What Tessera costs above this line is everything but receiving
// and logging.
// Usage: node durable-collect.mjs PORT DB_PATH. Prints {port} once it listens.
import { createServer } from 'node:http';
import { openSqlite } from '../../dist/connections/sqlite.js';
import { startWalCheckpointer } from '../../dist/connections/wal-checkpointer.js';

const path = process.argv[3];
const db = await openSqlite(path);
startWalCheckpointer(db, path);

const inserts = new Map();
function insertOf(n) {
  let stmt = inserts.get(n);
  if (!stmt) {
    const row = '(@visitor, ?, ?, ?, ?, ?, @node, @received)';
    stmt = db.prepare(
      `INSERT OR IGNORE INTO events (visitor, id, type, ts, item, props, node, received) VALUES ${Array.from({ length: n }, () => row).join(', ')}`,
    );
    inserts.set(n, stmt);
  }
  return stmt;
}

/** Batches waiting for this turn's commit: [visitor, events, res]. */
let pending = [];
const commit = db.transaction((batches) => {
  const received = Date.now();
  return batches.map(([visitor, events]) => {
    const values = [];
    for (const e of events)
      values.push(
        String(e.id),
        String(e.type),
        Number(e.ts),
        e.item ?? null,
        e.props === undefined ? null : JSON.stringify(e.props),
      );
    return insertOf(events.length).run(values, { visitor, node: 'floor', received }).changes;
  });
});

function flush() {
  const batches = pending;
  pending = [];
  const stored = commit(batches);
  batches.forEach(([, events, res], i) => {
    const body = JSON.stringify({ accepted: events.length, rejected: [], stored: stored[i] });
    res.writeHead(202, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const batch = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const visitor = /(?:^|;\s*)tsr_id=([^;.]+)/.exec(req.headers.cookie ?? '')?.[1] ?? 'anonymous';
    if (pending.length === 0) setImmediate(flush);
    pending.push([visitor, batch.events, res]);
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
