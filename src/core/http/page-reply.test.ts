import { describe, expect, it } from 'vitest';
import { PageReply, type PresetHeaders } from './page-reply.js';
import { replyHeaderLines, replyHeaders } from './reply.js';

const headers = { 'content-type': 'text/html; charset=utf-8', vary: 'Cookie', 'server-timing': '' };
const preset: PresetHeaders = {
  headers,
  lines: replyHeaderLines({
    status: 200,
    headers: { 'content-type': headers['content-type'], vary: 'Cookie' },
    cookies: [],
    body: null,
  }),
};
const timing = 'context;dur=0.100, total;dur=0.100, profile-src;desc="cache"';

describe('PageReply', () => {
  it('sends the lines the same headers as a record would make, cookies last', () => {
    const reply = new PageReply(preset, timing, ['a=1'], 'body');
    const plain = {
      status: 200,
      headers: { ...headers, 'server-timing': timing },
      cookies: ['a=1'],
      body: 'body',
    };
    expect(replyHeaderLines(reply)).toEqual(replyHeaderLines(plain));
    expect(replyHeaderLines(reply)).toEqual(replyHeaderLines(reply)); // the preset lines are copied, not grown
    expect(preset.lines).toHaveLength(4);
  });

  it('sends a Server-Timing it was told is printable as it is, and checks one it was not', () => {
    const checked = new PageReply(preset, timing, [], 'body', true);
    expect(replyHeaderLines(checked)).toEqual(replyHeaderLines(new PageReply(preset, timing, [], 'body')));
    const odd = 'st\u00e9p;dur=1.000, total;dur=1.000';
    const lines = replyHeaderLines(new PageReply(preset, odd, [], 'body'));
    expect(lines.at(-1)).toBe('st%C3%A9p;dur=1.000, total;dur=1.000');
  });

  it('gives its full headers to whoever reads them, and sends what they were changed to', () => {
    const reply = new PageReply(preset, timing, [], 'body');
    expect(reply.headers).toEqual({ ...headers, 'server-timing': timing });
    reply.headers['x-extra'] = '1';
    expect(replyHeaders(reply)).toEqual({ ...headers, 'server-timing': timing, 'x-extra': '1' });
    expect(headers).not.toHaveProperty('x-extra');
  });

  it('is copied by a spread with the headers given, and nothing private', () => {
    const reply = new PageReply(preset, timing, [], 'body');
    const copy = { ...reply, headers: { a: 'b' } };
    expect(replyHeaderLines(copy)).toEqual(['a', 'b']);
    expect(Object.keys(copy).sort()).toEqual(['body', 'cookies', 'headers', 'status']);
  });
});
