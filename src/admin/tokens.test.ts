import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scopeFor } from './auth.js';
import { fileTokenBook, readTokenFile, writeTokenFile } from './token-file.js';
import {
  authenticate,
  ENV_TOKEN_NAME,
  hashToken,
  mintToken,
  parseScopes,
  SCOPES,
  sameHash,
} from './tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scoped admin tokens', () => {
  it('mints distinct tsr_ tokens whose record holds only the SHA-256 hash', async () => {
    const a = await mintToken('a', ['read:stats'], 1);
    const b = await mintToken('b', ['read:stats'], 1);
    expect(a.token).toMatch(/^tsr_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.record).toEqual({
      name: 'a',
      hash: await hashToken(a.token),
      scopes: ['read:stats'],
      createdAt: 1,
    });
    expect(JSON.stringify(a.record)).not.toContain(a.token.slice(4));
  });

  it('finds the principal by hash, and treats the environment token as holding every scope', async () => {
    const a = await mintToken('ops', ['write:config'], 1);
    expect(await authenticate(a.token, [a.record], undefined)).toEqual({
      name: 'ops',
      scopes: ['write:config'],
    });
    expect(await authenticate(`${a.token}x`, [a.record], undefined)).toBeUndefined();
    expect(await authenticate('dev-token', [a.record], 'dev-token')).toEqual({
      name: ENV_TOKEN_NAME,
      scopes: SCOPES,
    });
  });

  it('compares hashes without depending on where they differ', () => {
    expect(sameHash('abcd', 'abcd')).toBe(true);
    expect(sameHash('abcd', 'abce')).toBe(false);
    expect(sameHash('abcd', 'abc')).toBe(false);
  });

  it('parses scope lists and names an unknown scope', () => {
    expect(parseScopes('read:stats, admin:profiles,read:stats')).toEqual(['read:stats', 'admin:profiles']);
    expect(() => parseScopes('read:stats,root')).toThrow(/unknown scope "root"/);
    expect(() => parseScopes('')).toThrow(/no scopes/);
  });

  it('maps each admin route to its scope', () => {
    expect(scopeFor('GET', '/admin')).toBe('read:stats');
    expect(scopeFor('GET', '/admin/api/experiments')).toBe('read:stats');
    expect(scopeFor('POST', '/admin/api/experiments/x/promote')).toBe('write:config');
    expect(scopeFor('GET', '/admin/api/profiles/v1')).toBe('admin:profiles');
    expect(scopeFor('DELETE', '/admin/api/profiles/v1')).toBe('admin:profiles');
  });

  it('writes the token file with mode 0600 and re-reads it when it changes', async () => {
    const path = join(dir, 'admin-tokens.json');
    const book = fileTokenBook(path);
    expect(book.records()).toEqual([]);
    const a = await mintToken('a', ['read:stats'], 1);
    writeTokenFile(path, [a.record]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readTokenFile(path)).toEqual([a.record]);
    expect(book.records()).toEqual([a.record]);
  });
});
