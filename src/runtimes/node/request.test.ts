import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { NodeRequest } from './request.js';

function incoming(headers: Record<string, string | string[]>): IncomingMessage {
  return { headers, url: '/p?q=1', method: 'GET', socket: { remoteAddress: '127.0.0.1' } } as never;
}

describe('NodeRequest headers', () => {
  it('reads a header by its lower-case name, a repeated one joined', () => {
    const r = new NodeRequest(incoming({ host: 's.test', 'x-a': ['1', '2'], cookie: 'a=1' }), 1024);
    expect(r.url).toBe('http://s.test/p?q=1');
    expect(r.headers.get('x-a')).toBe('1, 2');
    expect(r.headers.get('cookie')).toBe('a=1');
    expect(r.headers.get('cf-ipcountry')).toBeNull();
  });

  it('says whether any of a set of names is among its headers', () => {
    const names = new Set(['cf-ipcountry', 'x-timezone']);
    expect(new NodeRequest(incoming({ host: 's.test', cookie: 'a=1' }), 1024).headers.anyOf?.(names)).toBe(
      false,
    );
    expect(new NodeRequest(incoming({ 'x-timezone': 'UTC' }), 1024).headers.anyOf?.(names)).toBe(true);
    expect(new NodeRequest(incoming({}), 1024).headers.anyOf?.(names)).toBe(false);
  });
});
