import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../core/types.js';
import { createMemoryStore } from '../../profiles/memory.js';
import { detectFormat } from './detect.js';
import { readEventLog } from './event-log.js';
import { createIdSpace, widen } from './id-space.js';
import { readOtto } from './otto.js';
import { readRatings } from './ratings.js';
import { readSessions } from './sessions.js';

const OTTO_SAMPLE = fileURLToPath(new URL('../../../test/fixtures/otto-sample.jsonl', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'tessera-readers-'));
let n = 0;
function file(text: string, ext = 'tsv'): string {
  const p = join(dir, `f${n++}.${ext}`);
  writeFileSync(p, text);
  return p;
}

function rowsOf(d: {
  userIds: string[];
  itemIds: string[];
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float32Array;
}) {
  const out: string[] = [];
  for (let u = 0; u < d.userIds.length; u++)
    for (let p = d.rowPtr[u]!; p < d.rowPtr[u + 1]!; p++)
      out.push(`${d.userIds[u]}:${d.itemIds[d.col[p]!]}=${d.val[p]}`);
  return out;
}

describe('readRatings', () => {
  it('reads the MovieLens u.data layout: tabs, no header, seconds', async () => {
    const r = await readRatings(
      file('196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t377\t1\t878887116\n'),
    );
    expect(r.header).toBeNull();
    expect(r.report).toEqual({ lines: 3, skipped: 0, merged: 0 });
    expect(rowsOf(r.data)).toEqual(['196:242=3', '196:377=1', '186:302=3']);
    expect(r.data.ts[0]).toBe(881250949_000);
  });

  it('detects a CSV header and maps columns by name', async () => {
    const r = await readRatings(
      file('movieId,userId,timestamp,rating\n10,1,964982703,4.5\n\n20,1,964982224,3\n', 'csv'),
    );
    expect(r.header).toEqual(['movieId', 'userId', 'timestamp', 'rating']);
    expect(r.report).toEqual({ lines: 4, skipped: 2, merged: 0 });
    expect(rowsOf(r.data)).toEqual(['1:10=4.5', '1:20=3']);
  });

  it('reads the :: layout of ratings.dat and implicit two-column files', async () => {
    expect(rowsOf((await readRatings(file('1::1193::5::978300760\n'))).data)).toEqual(['1:1193=5']);
    expect(rowsOf((await readRatings(file('alice,sku-1\nbob,sku-2\n'))).data)).toEqual([
      'alice:sku-1=1',
      'bob:sku-2=1',
    ]);
  });

  it('merges duplicate pairs, keeping the latest rating, and counts them', async () => {
    const r = await readRatings(file('1\t5\t2\t100\n1\t5\t4\t300\n1\t5\t3\t200\n'));
    expect(r.report.merged).toBe(2);
    expect(rowsOf(r.data)).toEqual(['1:5=4']);
    expect(r.data.ts[0]).toBe(300_000);
  });

  it('names the file and line of a bad rating', async () => {
    const p = file('1\t2\t3\t4\n1\t3\tfive\t4\n');
    await expect(readRatings(p)).rejects.toThrow(`${p}:2: rating "five" is not a number`);
  });

  it('names the line of a row with too few fields', async () => {
    const p = file('1\t2\t3\t4\n\n7\n');
    await expect(readRatings(p)).rejects.toThrow(`${p}:3: expected "user item`);
  });

  it('gives train and test one index space through a shared IdSpace', async () => {
    const space = createIdSpace();
    const train = await readRatings(file('a\tx\t1\t1\n'), { space });
    const test = await readRatings(file('b\ty\t1\t1\na\ty\t1\t1\n'), { space });
    const wide = widen(train.data, space);
    expect(wide.userIds).toEqual(test.data.userIds);
    expect(wide.itemIds).toEqual(['x', 'y']);
    expect(rowsOf(wide)).toEqual(['a:x=1']);
  });
});

describe('readSessions', () => {
  const repeats =
    'SessionId\tItemId\tTime\n1\t10\t1396321232.1\n1\t11\t1396321200\n1\t11\t1396321210\n2\t10\t1396321300\n';
  const named = (r: Awaited<ReturnType<typeof readSessions>>) =>
    r.data.sessions.map((x) => [x.id, Array.from(x.items, (i) => r.data.itemIds[i])]);

  it('reads the session-rec layout, orders clicks by time and keeps repeated clicks as session-rec does', async () => {
    const r = await readSessions(file(repeats));
    expect(r.report).toEqual({ lines: 5, skipped: 1, merged: 0 });
    expect(named(r)).toEqual([
      ['1', ['11', '11', '10']],
      ['2', ['10']],
    ]);
    expect(r.data.sessions[0]!.ts[0]).toBe(1396321200_000);
  });

  it('folds a click on the item just clicked only when asked, and counts it', async () => {
    const r = await readSessions(file(repeats), { collapseRepeats: true });
    expect(r.report).toEqual({ lines: 5, skipped: 1, merged: 1 });
    expect(named(r)).toEqual([
      ['1', ['11', '10']],
      ['2', ['10']],
    ]);
  });

  it('accepts times in milliseconds and columns in any order', async () => {
    const r = await readSessions(file('Time,ItemId,SessionId\n1700000000000,a,s\n1700000001000,b,s\n'));
    expect(Array.from(r.data.sessions[0]!.ts)).toEqual([1700000000000, 1700000001000]);
  });

  it('names the line of a bad time', async () => {
    const p = file('SessionId\tItemId\tTime\n1\t10\tsoon\n');
    await expect(readSessions(p)).rejects.toThrow(`${p}:2: Time "soon" is not a time`);
  });
});

describe('readOtto', () => {
  it('reads the OTTO sample into sessions and weighted interactions', async () => {
    const r = await readOtto(OTTO_SAMPLE);
    expect(r.report.lines).toBe(20);
    expect(r.sessions.sessions).toHaveLength(20);
    expect(r.interactions.userIds).toHaveLength(20);
    const first = r.sessions.sessions.find((s) => s.id === '0')!;
    expect(r.sessions.itemIds[first.items[0]!]).toBe('1517085');
    expect(first.ts[0]).toBe(1659304800025);
    const events = r.sessions.sessions.reduce((a, s) => a + s.items.length, 0);
    expect(events + r.report.merged).toBeGreaterThan(r.interactions.col.length);
    expect(r.pairsMerged).toBeGreaterThan(0);
  });

  it('names the line and event that is malformed', async () => {
    const p = file(
      '{"session":1,"events":[{"aid":1,"ts":5,"type":"clicks"}]}\n{"session":2,"events":[{"aid":1,"ts":5,"type":"views"}]}\n',
      'jsonl',
    );
    await expect(readOtto(p)).rejects.toThrow(`${p}:2: event 0: expected`);
    const q = file('{"session":1,"events":[]}\nnot json\n', 'jsonl');
    await expect(readOtto(q)).rejects.toThrow(`${q}:2: not JSON`);
  });
});

describe('detectFormat', () => {
  it('tells ratings, session-rec and OTTO files apart', async () => {
    expect(await detectFormat(file('196\t242\t3\t881250949\n'))).toBe('ratings');
    expect(await detectFormat(file('userId,movieId,rating,timestamp\n1,2,3,4\n'))).toBe('ratings');
    expect(await detectFormat(file('SessionId\tItemId\tTime\n1\t2\t3\n'))).toBe('sessions');
    expect(await detectFormat(OTTO_SAMPLE)).toBe('otto');
  });
});

describe('readEventLog', () => {
  it('turns item events into visitor sessions split at a pause, and counts other events', async () => {
    const log = createMemoryStore().events;
    const ev = (
      id: string,
      visitor: string,
      type: LoggedEvent['type'],
      ts: number,
      item?: string,
    ): LoggedEvent => ({
      id,
      visitor,
      type,
      ts,
      node: 'n',
      received: ts,
      ...(item ? { item } : {}),
    });
    await log.append([
      ev('1', 'v1', 'view', 0, 'a'),
      ev('2', 'v1', 'page', 1),
      ev('3', 'v1', 'view', 60_000, 'b'),
      ev('4', 'v1', 'purchase', 10 * 3_600_000, 'a'),
      ev('5', 'v2', 'view', 5, 'b'),
    ]);
    const r = await readEventLog(log, { pageSize: 2 });
    expect(r.report).toEqual({ lines: 5, skipped: 1, merged: 1 });
    const sessions = r.sessions.sessions.map((s) =>
      Array.from(s.items, (i) => r.sessions.itemIds[i]).join(''),
    );
    expect(sessions.sort()).toEqual(['a', 'ab', 'b']);
    expect(rowsOf(r.interactions)).toEqual(['v1:a=9', 'v1:b=1', 'v2:b=1']);
  });
});
