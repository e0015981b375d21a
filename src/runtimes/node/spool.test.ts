import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startReplay } from '../../cluster/replay.js';
import { DependencyDownError, StatusTracker } from '../../connections/status.js';
import { silentLogger } from '../../core/ports.js';
import { openSpool } from './spool.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const tempPath = () => join(mkdtempSync(join(tmpdir(), 'tessera-spool-')), 'spool.db');

describe('spool', () => {
  it('keeps entries of each target in the order they were spooled', async () => {
    const spool = await openSpool(':memory:');
    for (let i = 0; i < 5; i++) {
      spool.append('log', 'append', `v${i}`, bytes(`log-${i}`));
      spool.append('store', 'merge', `v${i}`, bytes(`store-${i}`));
    }
    expect(spool.pending()).toBe(10);
    expect(spool.peek('log', 10).map((e) => text(e.body))).toEqual([
      'log-0',
      'log-1',
      'log-2',
      'log-3',
      'log-4',
    ]);
    expect(spool.peek('store', 2).map((e) => e.visitor)).toEqual(['v0', 'v1']);
    spool.remove(spool.peek('log', 1)[0]!.seq);
    expect(spool.peek('log', 1)[0]!.visitor).toBe('v1');
    spool.close();
  });

  it('counts a target pending again after it was drained and written to', async () => {
    const spool = await openSpool(':memory:');
    expect(spool.pending('log')).toBe(0);
    spool.append('log', 'append', 'v1', bytes('a'));
    expect(spool.pending('log')).toBe(1);
    expect(spool.pending('store')).toBe(0);
    spool.remove(spool.peek('log', 1)[0]!.seq);
    expect(spool.pending('log')).toBe(0);
    spool.append('log', 'append', 'v2', bytes('b'));
    spool.append('log', 'append', 'v3', bytes('c'));
    expect(spool.pending('log')).toBe(2);
    expect(spool.pending()).toBe(2);
    spool.close();
  });

  it('survives being closed and opened again', async () => {
    const path = tempPath();
    const first = await openSpool(path);
    first.append('log', 'append', 'v1', bytes('a'));
    first.append('log', 'deleteVisitor', 'v2');
    first.close();
    const again = await openSpool(path);
    expect(again.peek('log', 10).map((e) => [e.kind, e.visitor, text(e.body)])).toEqual([
      ['append', 'v1', 'a'],
      ['deleteVisitor', 'v2', ''],
    ]);
    again.close();
  });

  it('replays in order once the dependency is ready again, and keeps what it could not hand over', async () => {
    const spool = await openSpool(tempPath());
    const state = new StatusTracker('down');
    let up = false;
    const applied: string[] = [];
    const replay = startReplay({
      spool,
      target: 'log',
      state,
      logger: silentLogger,
      retryMs: 0,
      apply: async (e) => {
        if (!up) throw new DependencyDownError('nats', '127.0.0.1:4222', 'connection refused');
        applied.push(text(e.body));
      },
    });
    for (let i = 0; i < 250; i++) spool.append('log', 'append', 'v', bytes(String(i)));
    expect(await replay.drain()).toBe(0);
    expect(spool.pending('log')).toBe(250);
    up = true;
    state.set('ready');
    await vi.waitFor(() => expect(spool.pending('log')).toBe(0));
    expect(applied).toEqual(Array.from({ length: 250 }, (_, i) => String(i)));
    replay.stop();
    spool.close();
  });

  it('stops at the first entry the dependency refuses, so later ones never overtake it', async () => {
    const spool = await openSpool(':memory:');
    for (const v of ['a', 'b', 'c']) spool.append('store', 'merge', v);
    const seen: string[] = [];
    const replay = startReplay({
      spool,
      target: 'store',
      logger: silentLogger,
      retryMs: 0,
      apply: async (e) => {
        seen.push(e.visitor);
        if (e.visitor === 'b') throw new DependencyDownError('redis', '127.0.0.1:6379', 'connection lost');
      },
    });
    await replay.drain();
    // A start-up pass may have tried 'b' too; 'c' must never be tried before 'b' went through.
    expect(seen[0]).toBe('a');
    expect(new Set(seen)).toEqual(new Set(['a', 'b']));
    expect(spool.peek('store', 10).map((e) => e.visitor)).toEqual(['b', 'c']);
    replay.stop();
    spool.close();
  });

  it('drops an entry that keeps failing for another reason after maxAttempts', async () => {
    const spool = await openSpool(':memory:');
    spool.append('store', 'merge', 'poison');
    spool.append('store', 'merge', 'fine');
    const ok: string[] = [];
    const replay = startReplay({
      spool,
      target: 'store',
      logger: silentLogger,
      retryMs: 0,
      maxAttempts: 3,
      apply: async (e) => {
        if (e.visitor === 'poison') throw new Error('corrupt');
        ok.push(e.visitor);
      },
    });
    for (let i = 0; i < 3; i++) await replay.drain();
    expect(ok).toEqual(['fine']);
    expect(spool.pending()).toBe(0);
    replay.stop();
    spool.close();
  });
});
