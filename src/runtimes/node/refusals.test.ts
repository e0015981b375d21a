import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../core/http/reply.js';
import { createRefusals, UNREAD_BODY_CLOSE_BYTES } from './refusals.js';

const refused = (retryAfter = '1'): Reply => ({
  status: 429,
  headers: { 'retry-after': retryAfter },
  cookies: [],
  body: '{}',
});
const socket = () => ({}) as Socket;
const posted = (headers: Record<string, string>, readableEnded = false) =>
  ({ headers, readableEnded }) as unknown as IncomingMessage;

describe('refusals on the Node server', () => {
  it('holds a refusal only once a connection has ignored Retry-After four times in a row', () => {
    const r = createRefusals();
    const s = socket();
    const holds = [0, 10, 20, 30, 40, 50].map((t) => r.holdMs(s, refused(), t));
    // The first refusal, then three requests before its Retry-After: written at once.
    expect(holds.slice(0, 4)).toEqual([0, 0, 0, 0]);
    // The fourth in a row: held until the Retry-After it ignored is due (said at 30 ms: 1 s), then 1 s at most.
    expect(holds.slice(4)).toEqual([990, 1000]);
  });

  it('never holds a client that waits as told, nor another connection, nor a 202', () => {
    const r = createRefusals();
    const s = socket();
    for (let i = 0; i < 10; i++) expect(r.holdMs(s, refused(), i * 1000)).toBe(0);
    const other = socket();
    expect(r.holdMs(other, refused(), 0)).toBe(0);
    expect(r.holdMs(s, { ...refused(), status: 202 }, 10_001)).toBe(0);
  });

  it('keeps holding a connection that sends again as soon as a held refusal is written', () => {
    const r = createRefusals({ maxHoldMs: 1000 });
    const s = socket();
    let t = 0;
    for (let i = 0; i < 5; i++) r.holdMs(s, refused(), t++);
    // Each held refusal is heard 1 s later, and its Retry-After counts from then.
    for (let i = 0; i < 5; i++) {
      const hold = r.holdMs(s, refused(), t);
      expect(hold).toBeGreaterThan(0);
      t += hold + 1;
    }
  });

  it('writes at once when holding is off or too many are held', () => {
    const off = createRefusals({ maxHoldMs: 0 });
    const s = socket();
    for (let i = 0; i < 8; i++) expect(off.holdMs(s, refused(), i)).toBe(0);
    const full = createRefusals({ maxHeld: 1 });
    const release = full.hold();
    for (let i = 0; i < 8; i++) expect(full.holdMs(s, refused(), i)).toBe(0);
    release();
    release(); // idempotent
    expect(full.held).toBe(0);
  });

  it('closes instead of draining only a large or unsized unread body of a refused request', () => {
    const r = createRefusals();
    const big = posted({ 'content-length': String(UNREAD_BODY_CLOSE_BYTES + 1) });
    expect(r.closeInstead(big, refused(), false)).toBe(true);
    expect(r.closeInstead(big, { ...refused(), status: 413 }, false)).toBe(true);
    expect(r.closeInstead(posted({ 'transfer-encoding': 'chunked' }), refused(), false)).toBe(true);
    expect(r.closeInstead(posted({ 'content-length': '70000' }), refused(), false)).toBe(false);
    expect(r.closeInstead(big, refused(), true)).toBe(false);
    expect(r.closeInstead(big, { ...refused(), status: 400 }, false)).toBe(false);
    expect(r.closeInstead(posted({ 'content-length': '9999999' }, true), refused(), false)).toBe(false);
  });
});
