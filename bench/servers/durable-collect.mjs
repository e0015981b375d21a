// The ingest floor of a server that acknowledges only logged events: the bare
// server (bare-collect.mjs) plus an append of each batch to an SQLite event
// log with the embedded store's table, settings and dedupe (WAL,
// synchronous=NORMAL, secure_delete, UNIQUE(visitor, id) with INSERT OR
// IGNORE, one multi-row statement per batch), the batches of one event-loop
// turn committed in one transaction before any of them is answered (group
// commit, as the store does), WAL checkpoints in a worker thread (Tessera's
// own checkpointer, as the store runs it). No fold, no profile, no cookie verification:
// the visitor is read from the `tsr_id` cookie as it comes. What is left of
// Tessera's cost above this line is everything but receiving and logging.
// Usage: node durable-collect.mjs PORT DB_PATH. Prints {port} once it listens.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { startWalCheckpointer } from '../../dist/connections/wal-checkpointer.js';

const path = process.argv[3];
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('secure_delete = ON');
db.exec(`CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  visitor TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  ts REAL NOT NULL,
  item TEXT,
  props TEXT,
  node TEXT NOT NULL,
  received REAL NOT NULL,
  UNIQUE (visitor, id)
)`);
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
