import { describe, expect, it } from 'vitest';
import { TesseraError } from '../errors.js';
import {
  errorReply,
  joinChunks,
  jsonReply,
  type Reply,
  replyHeaderLines,
  replyHeaders,
  toResponse,
} from './reply.js';

const hostile: Reply = {
  status: 200,
  headers: {
    'content-type': 'text/plain',
    'x-tessera-variant': 'v1|/?\u2603\r\nX-Evil: 1',
    'bad name': 'dropped',
    'x-latin1': 'caf\u00e9',
  },
  cookies: ['a=1\n; Path=/', 'b=2'],
  body: 'ok',
};

describe('replyHeaders', () => {
  it('percent-encodes header values a runtime could not send, and drops names that are not tokens', () => {
    expect(replyHeaders(hostile)).toEqual({
      'content-type': 'text/plain',
      'x-tessera-variant': 'v1|/?%E2%98%83%0D%0AX-Evil: 1',
      'x-latin1': 'caf%C3%A9',
      'set-cookie': ['a=1%0A; Path=/', 'b=2'],
    });
  });

  it('checks a value again when it changes after being found safe under its name', () => {
    const safe: Reply = { status: 200, headers: { 'x-tessera-variant': 'v1|/' }, cookies: [], body: null };
    expect(replyHeaders(safe)).toEqual({ 'x-tessera-variant': 'v1|/' });
    expect(replyHeaders(hostile)['x-tessera-variant']).toBe('v1|/?%E2%98%83%0D%0AX-Evil: 1');
    expect(replyHeaders(safe)).toEqual({ 'x-tessera-variant': 'v1|/' });
  });

  it('gives flat lines for Node, one set-cookie line per cookie, replacing a set-cookie the headers carry', () => {
    const origin: Reply = {
      status: 200,
      headers: { 'set-cookie': 'origin=1', a: 'b' },
      cookies: [],
      body: null,
    };
    expect(replyHeaderLines(origin)).toEqual(['set-cookie', 'origin=1', 'a', 'b']);
    expect(replyHeaders(origin)).toEqual({ 'set-cookie': 'origin=1', a: 'b' });
    const own = { ...origin, cookies: ['x=1', 'y=2\r'] };
    expect(replyHeaderLines(own)).toEqual(['a', 'b', 'set-cookie', 'x=1', 'set-cookie', 'y=2%0D']);
    expect(replyHeaders(own)).toEqual({ a: 'b', 'set-cookie': ['x=1', 'y=2%0D'] });
  });

  it('leaves valid headers as they are', () => {
    const ok = jsonReply(200, { a: 1 });
    expect(replyHeaders(ok)).toEqual(ok.headers);
  });
});

describe('toResponse', () => {
  it('builds a Response from a reply whose headers carry request data, instead of throwing', async () => {
    const res = toResponse(hostile);
    expect(res.headers.get('x-tessera-variant')).toBe('v1|/?%E2%98%83%0D%0AX-Evil: 1');
    expect(res.headers.get('x-evil')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual(['a=1%0A; Path=/', 'b=2']);
    expect(await res.text()).toBe('ok');
  });
});

describe('JSON replies', () => {
  it('carry nosniff and never hold markup as it was sent', () => {
    const r = jsonReply(400, { error: '<script>alert(1)</script> & \u2028' });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(r.body as string)).toEqual({ error: '<script>alert(1)</script> & \u2028' });
  });

  it('show control characters an error quotes from the request encoded', () => {
    const r = errorReply(new TesseraError(404, '[tessera] no page /a\r\nb\u0000\u0085'));
    expect(JSON.parse(r.body as string)).toEqual({
      error: '[tessera] no page /a%0D%0Ab%00%C2%85',
      status: 404,
    });
    expect(new TesseraError(400, '[tessera] x').toResponse().headers.get('x-content-type-options')).toBe(
      'nosniff',
    );
  });
});

describe('joinChunks', () => {
  it('gives the bytes TextEncoder gives for the whole text, ASCII or not', () => {
    const enc = new TextEncoder();
    for (const chunks of [
      ['<p>', enc.encode('static'), 'plain ascii'],
      [enc.encode('é'), 'caf\u00e9 \u2603 \ud83c\udf89', '', enc.encode('end')],
      ['\ud800 lone surrogate'],
      [],
    ]) {
      const text = chunks.map((c) => (typeof c === 'string' ? c : new TextDecoder().decode(c))).join('');
      expect([...joinChunks(chunks)]).toEqual([...enc.encode(text)]);
    }
  });
});
